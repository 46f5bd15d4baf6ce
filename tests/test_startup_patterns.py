"""Hand-written matchers give exactly what the regular expressions they replace give.

Compiling a pattern with a CJK character class costs 0.2–0.4 ms; a one-file `gongkai extract`
used to compile a dozen of them. The patterns stay in the modules, as documentation, and are
compiled here only, against their replacements.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai import formats, metadata, template
from gongkai.gazetteer import resolve
from gongkai.readers import dispatch, text

# numerals, digits (ASCII, full-width, Arabic-Indic), brackets, the punctuation the patterns
# look for, several kinds of whitespace, and a few ordinary characters
ALPHABET = list("一二三四五六七八九十0123456789１٣(（)）、.．,，。；：;:#*\"“”《》|和局社中心") + [
    " ", "\t", "\n", "\u3000", "\xa0", "\u2003", "\x1c", "x", "其", "他"]
TEXTS = st.text(alphabet=st.sampled_from(ALPHABET), max_size=10)


@settings(max_examples=3000, deadline=None)
@given(TEXTS)
def test_strip_numbering_is_its_pattern(label):
    assert formats.strip_numbering.__wrapped__(label) == re.compile(formats._NUMBERING_RE.pattern).sub("", label, count=1)


@settings(max_examples=3000, deadline=None)
@given(TEXTS)
def test_category_numeral_is_its_pattern(raw):
    match = re.compile(template._CATEGORY_NUMERAL_RE.pattern).match(raw)
    assert template._category_numeral(raw) == (match.group(1) if match else None)


@settings(max_examples=3000, deadline=None)
@given(TEXTS)
def test_title_punctuation_and_not_place_are_their_patterns(title):
    assert metadata._strip_title_punct(title) == re.compile(metadata._TITLE_PUNCT.pattern).sub("", title)
    assert (not metadata._NOT_PLACE_CHARS.isdisjoint(title)) == bool(re.search(metadata._NOT_PLACE.pattern, title))
    assert (not resolve._NOT_PLACE_CHARS.isdisjoint(title)) == bool(re.search(resolve._NOT_PLACE.pattern, title))
    squashed = metadata._squash(title) + "年度报告"[: len(title) % 5]
    assert squashed.endswith(("年度报告", "年报告", "年报")) == bool(re.search(r"年度?报告$|年报$", squashed))


@settings(max_examples=3000, deadline=None)
@given(TEXTS)
def test_text_reader_matchers_are_their_patterns(line):
    assert text._section_start(line) == bool(re.compile(text._SECTION_START.pattern).match(line))
    assert (not text._PROSE_CHARS.isdisjoint(line)) == bool(re.search(text._PROSE_MARKS.pattern, line))
    assert text._tokens(line) == [t for t in re.split(text._SPACE_SPLIT.pattern, line) if t]


HTML_HEADS = st.binary(max_size=0) | st.lists(
    st.sampled_from([b"<!doctype", b"<!DOCTYPE", b" ", b"\t", b"\n", b"\x0b", b"\x0c", b"\x1c", b"\xa0", b"html",
                     b"HTML", b"<html", b"<HeAd", b"<body", b"<div", b"<table", b"<p", b"<P", b">", b"<meta",
                     b"<!--", b"<pre", b"x", b"\xef\xbb\xbf", b"\xe2\x80\x83"]), max_size=6).map(b"".join)


@settings(max_examples=3000, deadline=None)
@given(HTML_HEADS)
def test_html_sniff_is_its_pattern(head):
    assert dispatch._looks_html(head) == bool(re.compile(dispatch._HTML_SNIFF, re.IGNORECASE).match(head))


def test_real_labels_and_lines():
    assert formats.strip_numbering("3其他") == "其他" and formats.strip_numbering("七总计") == "总计"
    assert formats.strip_numbering("三十") == "十" and formats.strip_numbering("12") == "12"
    assert template._category_numeral("（三） 不予公开") == "三" and template._category_numeral("(八)") is None
    assert metadata._strip_title_punct("《五寨县2020年度报告》##") == "五寨县2020年度报告"
    assert text._section_start("  四、 行政复议") and not text._section_start("结果纠正")
    assert text._tokens("本年新收\u3000 12\xa0\t3") == ["本年新收", "12", "3"]
    assert dispatch.sniff(b"\xef\xbb\xbf  <!DOCTYPE  html><p>") == "html" and dispatch.sniff(b"<pre>") is None


def test_iso_date_is_datetime_date():
    from datetime import date

    from gongkai.report_text import _iso_date

    for year in (0, 1, 1900, 1999, 2000, 2020, 2021, 2024, 2100, 9999, 10000):
        for month in range(0, 14):
            for day in range(0, 33):
                try:
                    expected = date(year, month, day).isoformat()
                except ValueError:
                    expected = None
                assert _iso_date(year, month, day) == expected, (year, month, day)
