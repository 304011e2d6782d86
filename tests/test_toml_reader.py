"""Iteration files are parsed with tomli, the standard library's tomllib compiled: the two give
the same document, or the same error at the same place, for whatever text they are given."""

from __future__ import annotations

import tomllib

import tomli
from hypothesis import given, settings
from hypothesis import strategies as st

from finops_tui import toml_writer

from .conftest import make_iteration


def parsed(module: object, text: str) -> object:
    try:
        return module.loads(text)  # type: ignore[attr-defined]
    except (tomllib.TOMLDecodeError, tomli.TOMLDecodeError) as exc:
        return ("error", str(exc))


def test_an_iteration_file_parses_the_same() -> None:
    text = toml_writer.dumps(make_iteration().to_document())
    assert parsed(tomli, text) == parsed(tomllib, text) == make_iteration().to_document()


_toml_bits = st.sampled_from(
    ['a = ', '"x"', "'y'", '"""', "\\e", "\\u00e9", "[t]", "[[t]]", "{b = 1,", "}", "\n", " ",
     "1979-05-27", "T07:32:00Z", "07:30", "1_000", "0x1F", "inf", "nan", "# c", ".", "=", "[",
     "]", ",", "\t", "\r\n", "\x00", "é"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_toml_bits, max_size=30).map("".join) | st.text(max_size=60))
def test_any_text_parses_the_same_or_fails_the_same(text: str) -> None:
    assert repr(parsed(tomli, text)) == repr(parsed(tomllib, text))  # repr: nan == nan
