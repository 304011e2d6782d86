"""The loader only ever returns an iteration or a typed problem, whatever bytes it is given."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finops_tui import toml_writer
from finops_tui.model import Iteration
from finops_tui.store import LoadError, LoadProblem, ProblemKind, Store

from ..conftest import make_iteration

ID = "2026-11-28-k3f9"


def load_bytes(data: bytes) -> Iteration | LoadProblem:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp))
        store.iterations_dir.mkdir()
        path = store.path_of(ID)
        path.write_bytes(data)
        try:
            result: Iteration | LoadProblem = store.load(ID)
        except LoadError as exc:
            result = exc.problem
            assert isinstance(result.kind, ProblemKind) and result.message
        assert path.read_bytes() == data  # never changed by reading
        return result


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes(data: bytes) -> None:
    load_bytes(data)


_values = st.recursive(
    st.text(max_size=20) | st.integers(-10, 10) | st.booleans() | st.dates(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
_keys = st.sampled_from(list(make_iteration().to_document())) | st.text(max_size=10)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_keys, _values, max_size=8))
def test_random_toml_documents(document: dict) -> None:
    load_bytes(toml_writer.dumps(document).encode())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_valid_file_with_one_value_swapped(data: st.DataObject) -> None:
    document = make_iteration().to_document()
    key = data.draw(st.sampled_from(sorted(document)))
    document[key] = data.draw(_values)
    load_bytes(toml_writer.dumps(document).encode())
