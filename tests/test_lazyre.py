"""Lazily compiled regular expressions and their code cache: the same patterns as re.compile."""

from __future__ import annotations

import re

import pytest

from gongkai import lazyre


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GONGKAI_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(lazyre, "_CODES", [])
    return tmp_path


def test_every_cached_pattern_equals_re_compile(cache_dir):
    path = lazyre.build_cache()
    assert path is not None and path.startswith(str(cache_dir))
    codes = lazyre._codes()
    sources = {p._source for p in lazyre._REGISTRY}
    assert len(sources) > 40 and set(codes) == sources  # every pattern of the extraction modules
    for pattern, flags in sources:
        cached, plain = lazyre._compile(pattern, flags), re.compile(pattern, flags)
        assert cached == plain  # Pattern equality compares flags, source and compiled program
        assert (cached.groups, cached.groupindex, cached.flags) == (plain.groups, plain.groupindex, plain.flags)


def test_lazy_pattern_compiles_on_first_use(cache_dir):
    lazyre.build_cache()
    pattern = lazyre.lazy(r"(?P<year>(?:19|20)\d{2})年", re.IGNORECASE)  # not in the cache: compiled
    assert "compiled" not in pattern.__dict__ and pattern.pattern.startswith("(?P<year>")
    assert pattern.search("2023年度").group("year") == "2023"
    assert pattern.__dict__["compiled"] == re.compile(r"(?P<year>(?:19|20)\d{2})年", re.IGNORECASE)
    assert pattern.sub("X", "2021年2022年") == "XX"


def test_missing_or_damaged_cache_falls_back_to_compiling(cache_dir):
    from gongkai.readers import html

    assert lazyre._codes() == {}  # nothing built in this folder
    assert lazyre._compile(html._CJK_BREAK.pattern, 0) == re.compile(html._CJK_BREAK.pattern)
    path = lazyre.build_cache()
    with open(path, "wb") as f:
        f.write(b"not marshal data")
    lazyre._CODES.clear()
    assert lazyre._codes() == {}
    assert lazyre._compile(r"\s+", 0) == re.compile(r"\s+")


def test_html_join_of_cjk_line_breaks_equals_the_regex():
    from gongkai.readers import html

    regex = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u9fff\uff00-\uffef])")
    for text in ("中\n文", "中 \n 文", "中 a", "a \n文", "中\u3000\n文", "中 \u3000 a", "中\n", "\n文",
                 "，\n中", "中\t\t", "１２\n３", "中 \u3000", "a b", ""):
        assert html._join_cjk(text) == regex.sub("", text), text
