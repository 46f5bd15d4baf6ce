"""gongkai.placeunit gives exactly what the place-unit regexes it replaces give."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai import metadata
from gongkai.gazetteer import resolve
from gongkai.placeunit import find_units, match_unit

# the characters that matter (unit characters, CJK stems, a non-CJK or two) and a few others
ALPHABET = list("特别行政区自治州县旗新实验开发管理示范园省市盟地镇乡街道苏木五寨淮安城关") + list("a1 （、") + ["\u9fff", "\u4e00", "\u3007"]
TEXTS = st.text(alphabet=st.sampled_from(ALPHABET), max_size=30)
UNIT_RE = re.compile(metadata._PLACE_UNIT.pattern)
LIKE_RE = re.compile(resolve._PLACE_LIKE.pattern)


@settings(max_examples=3000, deadline=None)
@given(TEXTS, st.integers(0, 30))
def test_match_unit_is_the_metadata_pattern(text, pos):
    expected = UNIT_RE.match(text, pos)
    assert match_unit(text, metadata._PLACE_UNITS, pos, single_stem_units=("县", "旗")) == (
        expected.group(0) if expected else None)


@settings(max_examples=3000, deadline=None)
@given(TEXTS, st.integers(0, 30), st.integers(0, 30))
def test_match_and_find_units_are_the_resolve_pattern(text, pos, end):
    expected = LIKE_RE.match(text, pos, end)
    assert match_unit(text, resolve._PLACE_UNITS, pos, end) == (expected.group(0) if expected else None)
    assert find_units(text, resolve._PLACE_UNITS, pos, end) == [(m.start(), m.group(0)) for m in LIKE_RE.finditer(text, pos, end)]


def test_real_names():
    assert metadata.region_text_of("盐池县大水坑镇人民政府") == "盐池县大水坑镇"
    assert metadata.region_text_of("沛县人民政府") == "沛县"
    assert find_units("山西省某某市五寨县", resolve._PLACE_UNITS) == [(0, "山西省"), (3, "某某市"), (6, "五寨县")]


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("一二三四五六123456 \u3000\t、.,，．x五") + ["\u2003"]), max_size=8))
def test_heading_numbers_match_as_their_patterns(raw):
    from gongkai import formats as F
    from gongkai.template import _HEADING_NUMBER_RES, _numbered

    for number, numeral, _ in F.SECTION_HEADINGS:
        assert _numbered(raw, number, numeral) == bool(re.compile(_HEADING_NUMBER_RES[number].pattern).match(raw))
