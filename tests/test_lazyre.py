"""Lazily compiled regular expressions behave as re.compile's patterns."""

from __future__ import annotations

import re

from gongkai import lazyre


def test_lazy_pattern_compiles_on_first_use():
    pattern = lazyre.lazy(r"(?P<year>(?:19|20)\d{2})年", re.IGNORECASE)
    assert "compiled" not in pattern.__dict__ and pattern.pattern.startswith("(?P<year>")
    assert pattern.search("2023年度").group("year") == "2023"
    assert pattern.__dict__["compiled"] == re.compile(r"(?P<year>(?:19|20)\d{2})年", re.IGNORECASE)
    assert pattern.sub("X", "2021年2022年") == "XX"
    assert pattern.groupindex == {"year": 1}  # attributes other than the methods reach the pattern


def test_html_join_of_cjk_line_breaks_equals_the_regex():
    from gongkai.readers import html

    regex = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u9fff\uff00-\uffef])")
    for text in ("中\n文", "中 \n 文", "中 a", "a \n文", "中\u3000\n文", "中 \u3000 a", "中\n", "\n文",
                 "，\n中", "中\t\t", "１２\n３", "中 \u3000", "a b", ""):
        assert html._join_cjk(text) == regex.sub("", text), text
