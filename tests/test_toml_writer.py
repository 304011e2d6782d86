"""The TOML writer: the documented layout, and a lossless round trip for any value."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from finops_tui.toml_writer import dumps


def test_layout_keeps_tables_of_arrays_and_utc_z() -> None:
    text = dumps(
        {
            "id": "x",
            "created": datetime(2026, 11, 28, 14, 50, tzinfo=UTC),
            "starts": date(2026, 11, 28),
            "scope": [{"capability": "a"}, {"capability": "b"}],
            "levels": {"a": {"knowledge": 1}, "b": {"knowledge": 2}},
            "goals": [{"id": "g1", "actions": [{"title": "t"}]}],
        }
    )
    assert text == (
        'id = "x"\n'
        "created = 2026-11-28T14:50:00Z\n"
        "starts = 2026-11-28\n"
        "\n"
        "[[scope]]\n"
        'capability = "a"\n'
        "\n"
        "[[scope]]\n"
        'capability = "b"\n'
        "\n"
        "[levels.a]\n"
        "knowledge = 1\n"
        "\n"
        "[levels.b]\n"
        "knowledge = 2\n"
        "\n"
        "[[goals]]\n"
        'id = "g1"\n'
        "\n"
        "[[goals.actions]]\n"
        'title = "t"\n'
    )


def test_text_with_newlines_is_a_readable_multiline_string() -> None:
    text = dumps({"went_well": 'Line one\nsaid "hi"\n'})
    assert text == 'went_well = """\nLine one\nsaid \\"hi\\"\n"""\n'


@pytest.mark.parametrize(
    "value",
    [
        "",
        "\n",
        "\n\nleading newlines",
        'ends with a quote"',
        'triple """ quotes """"" inside',
        "windows\r\nline\rends",
        "back\\slash at end\\",
        "tab\tand nul\x00 and esc\x1b[31m and del\x7f",
        "emoji 🧭 combining é RTL مرحبا",
        "[bold]markup[/] [@click=app.quit]x[/]",
    ],
)
def test_strings_round_trip_exactly(value: str) -> None:
    assert tomllib.loads(dumps({"k": value, "t": {"k": value}}))["t"]["k"] == value


def test_keys_that_are_not_bare_are_quoted() -> None:
    document = {"a b": 1, "ключ": 2, "": 3, 'q"': {"x": 1}}
    assert tomllib.loads(dumps(document)) == document


def test_offsets_and_other_values_survive() -> None:
    document = {
        "local": datetime(2026, 1, 2, 3, 4, 5),
        "offset": datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2))),
        "micro": datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC),
        "floats": [0.1, -2.5, 1e300],
        "mixed": [1, "a", {"b": [True, False]}],
        "empty": {},
        "nested": {"deeper": {"deepest": {"x": 1}}},
    }
    assert tomllib.loads(dumps(document)) == document


def test_refuses_what_toml_cannot_hold() -> None:
    with pytest.raises(ValueError, match="surrogate"):
        dumps({"k": "\ud800"})
    with pytest.raises(TypeError):
        dumps({"k": object()})


_keys = st.text(min_size=1, max_size=8)
_scalars = (
    st.text()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.booleans()
    | st.floats(allow_nan=False)
    | st.dates()
    | st.datetimes(timezones=st.just(UTC))
)
_documents = st.recursive(
    st.dictionaries(_keys, _scalars, max_size=4),
    lambda children: st.dictionaries(
        _keys, children | st.lists(children, min_size=1, max_size=3), max_size=4
    ),
    max_leaves=20,
)


@given(_documents)
@example({"0\n": ""})
@example({"0\n": {}})
@example({"0\n": [{}]})
@settings(max_examples=120)
def test_any_document_round_trips(document: dict) -> None:
    text = dumps(document)
    assert tomllib.loads(text) == document
    assert dumps(tomllib.loads(text)) == text


@pytest.mark.parametrize("key", ["a\n", "a\r\n", "\na", "a b", "", "ä", "a.b"])
def test_keys_with_line_breaks_dots_or_spaces_are_quoted(key: str) -> None:
    text = dumps({key: 1, "t": {key: {key: 2}}})
    assert tomllib.loads(text) == {key: 1, "t": {key: {key: 2}}}
