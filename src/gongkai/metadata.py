"""Report metadata from the title and body: agency, reporting year, place as printed.

The year is read where 年 is printed after four digits ("2020年度…", "自2021年1月1日"), never
from digits glued together where 年/月 were lost ("202111日").
"""

from __future__ import annotations

import re
import unicodedata

from gongkai.lazyre import lazy
from gongkai.placeunit import match_unit

_WS = lazy(r"\s+")
_REPORT_WORDS = lazy(r"(?:政府信息公开|政务公开|信息公开)(?:工作)?(?:年度)?(?:报告|年报)")
_TITLE_AGENCY_FIRST = lazy(
    r"^(?P<agency>.{2,40}?)(?<!\d)(?P<year>(?:19|20)\d{2})年度?(?:的)?(?:本级)?" + _REPORT_WORDS.pattern
)
_TITLE_YEAR_FIRST = lazy(
    r"^(?<!\d)(?P<year>(?:19|20)\d{2})年度?(?P<agency>.{2,40}?)" + _REPORT_WORDS.pattern
)
_STAT_PERIOD_YEAR = lazy(r"(?<!\d)((?:19|20)\d{2})年0?1月0?1日")
_ANY_YEAR = lazy(r"(?<!\d)((?:19|20)\d{2})年")
_COMPILED_BY = lazy(r"本报告(?:是)?由(?P<a>[^，,。；;（(《]{2,30}?)(?:根据|依据|依照|按照|编制|制作|负责)")
_CONTACT = lazy(r"(?:请与|可与|与)(?P<a>[^，,。；;（(：:、\s]{2,30}?)(?:联系|取得联系)")
_OFFICE_OF = lazy(r"^(?P<parent>.+?(?:人民政府|政府|局|委员会|委|厅|署|办|院|会))办公室$")
_PAGE_TITLE_PREFIX = lazy(r"^(?:标题|题目|title)\s*[:：]\s*", re.IGNORECASE)
# (_TITLE_PUNCT and _NOT_PLACE document _strip_title_punct and _NOT_PLACE_CHARS, which do the
# same without compiling them: ~0.7 ms of start-up; tests/test_startup_patterns.py checks them)
_TITLE_PUNCT = lazy(r"^[#*\s\"“”《》]+|[#*\s\"“”《》]+$")
_TITLE_PUNCT_CHARS = frozenset("#*\"“”《》")

# (the pattern documents what gongkai.placeunit.match_unit matches with _PLACE_UNITS; it is
# never compiled on the extraction path: tests/test_placeunit.py checks the two agree)
# A place is a name of at least two characters and its unit (宁乡市, not 宁乡; 忻州市, not
# 忻州), or one character and 县/旗 (沛县). Department words like 城市/市场 are not places.
_PLACE_UNIT = lazy(
    r"(?:[\u4e00-\u9fff]{2,12}?(?:特别行政区|自治区|自治州|自治县|自治旗|新区|实验区|开发区|"
    r"省|市|州|盟|地区|县|旗|区|镇|乡|街道|苏木)|[\u4e00-\u9fff](?:县|旗))"
)
_PLACE_UNITS = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "新区", "实验区", "开发区",
                "省", "市", "州", "盟", "地区", "县", "旗", "区", "镇", "乡", "街道", "苏木")
_NOT_PLACE = lazy(r"[和与及局委办厅部院署中心政府公司所站队会]")
_NOT_PLACE_CHARS = frozenset("和与及局委办厅部院署中心政府公司所站队会")
_TITLE_SEARCH_LINES = 12
_TITLE_MAX = 80


# A plain class with __slots__, not a dataclass: `import dataclasses` and the generated methods
# cost ~15 ms of CPU in every process (see readers/base.py).
class Metadata:
    """What the title and body say about the report: title, agency, year, printed place, and how each was found."""

    __slots__ = ("title", "agency", "year", "region_text", "evidence")

    def __init__(self, title: str | None, agency: str | None, year: int | None, region_text: str | None,
                 evidence: dict[str, str]) -> None:
        self.title = title
        self.agency = agency
        self.year = year
        self.region_text = region_text
        self.evidence = evidence

    def __repr__(self) -> str:
        return (f"Metadata(title={self.title!r}, agency={self.agency!r}, year={self.year!r}, "
                f"region_text={self.region_text!r}, evidence={self.evidence!r})")


def _squash(text: str) -> str:
    return _WS.sub("", unicodedata.normalize("NFKC", text))


def _first_lines(text: str, count: int) -> list[str]:
    """The first ``count`` non-blank lines of ``text``, stripped (without splitting the whole text)."""
    lines: list[str] = []
    start = 0
    while len(lines) < count and start <= len(text):
        end = text.find("\n", start)
        if end < 0:
            end = len(text)
        line = text[start:end].strip()
        if line:
            lines.append(line)
        start = end + 1
    return lines


def _strip_title_punct(text: str) -> str:
    """``_TITLE_PUNCT.sub("", text)``: the leading and trailing runs of whitespace and #*"“”《》 removed."""
    start, end = 0, len(text)
    while start < end and (text[start] in _TITLE_PUNCT_CHARS or text[start].isspace()):
        start += 1
    while end > start and (text[end - 1] in _TITLE_PUNCT_CHARS or text[end - 1].isspace()):
        end -= 1
    return text[start:end]


def find_title(text: str, declared_title: str | None = None) -> str | None:
    """The report's title: a declared one (HTML <title>, "标题:" line) or the first title lines."""
    candidates = []
    if declared_title:
        candidates.append(declared_title)
    lines = _first_lines(text, _TITLE_SEARCH_LINES)
    for line in lines[:3]:
        if _PAGE_TITLE_PREFIX.match(line):
            candidates.append(_PAGE_TITLE_PREFIX.sub("", line))
    for i, line in enumerate(lines[:_TITLE_SEARCH_LINES]):
        if _REPORT_WORDS.search(_squash(line)) or _squash(line).endswith(("年度报告", "年报告", "年报")):
            # the title may be split over two or three short lines ("五寨县人民政府" / "2020年度…")
            parts = [line]
            for previous in reversed(lines[max(0, i - 2):i]):
                if len(_squash(previous)) > 30 or "。" in previous:
                    break
                parts.insert(0, previous)
            candidates.append("".join(parts))
            break
    for candidate in candidates:
        squashed = _strip_title_punct(_squash(candidate))
        if len(squashed) <= _TITLE_MAX and (_TITLE_AGENCY_FIRST.search(squashed) or _TITLE_YEAR_FIRST.search(squashed)):
            return squashed
    return None


def _agency_year_from_title(title: str) -> tuple[str | None, int | None]:
    for pattern in (_TITLE_AGENCY_FIRST, _TITLE_YEAR_FIRST):
        match = pattern.search(title)
        if match:
            agency = match.group("agency").removeprefix("关于")
            return (agency or None), int(match.group("year"))
    return None, None


def _year_from_body(body: str) -> tuple[int | None, str]:
    match = _STAT_PERIOD_YEAR.search(body)
    if match:
        return int(match.group(1)), "statistics period"
    match = _ANY_YEAR.search(body)
    if match:
        return int(match.group(1)), "first year printed in the body"
    return None, ""


def _agency_from_body(body: str) -> tuple[str | None, str]:
    match = _COMPILED_BY.search(body)
    if match:
        return match.group("a"), "本报告由…编制"
    match = _CONTACT.search(body)
    if match:
        agency = match.group("a")
        office = _OFFICE_OF.match(agency)
        # the office answering questions about a government's report is that government's
        return (office.group("parent") if office else agency), "contact line"
    return None, ""


def region_text_of(agency: str | None) -> str | None:
    """The place an agency name begins with: "盐池县大水坑镇人民政府" -> "盐池县大水坑镇"."""
    if not agency:
        return None
    place, rest = "", agency
    while True:
        unit = match_unit(rest, _PLACE_UNITS, single_stem_units=("县", "旗"))  # _PLACE_UNIT.match, uncompiled
        if not unit or not _NOT_PLACE_CHARS.isdisjoint(unit):  # _NOT_PLACE.search(unit)
            break
        place += unit
        rest = rest[len(unit):]
    return place or None


def extract_metadata(text: str, declared_title: str | None = None) -> Metadata:
    """Agency, year and printed place from a report's text."""
    evidence: dict[str, str] = {}
    title = find_title(text, declared_title)
    agency, year = _agency_year_from_title(title) if title else (None, None)
    if title:
        evidence["title"] = title
    body = _squash(text[:20000]) if year is None or agency is None else ""  # a full title needs no body
    if year is None:
        year, how = _year_from_body(body)
        if year is not None:
            evidence["year"] = how
    if agency is None:
        agency, how = _agency_from_body(body)
        if agency:
            evidence["agency"] = how
    return Metadata(title, agency, year, region_text_of(agency), evidence)


_TOWNSHIP_GOVERNMENT = lazy(r"(?:镇|乡|街道)(?:人民政府|办事处)$|街道办事处$|街道工作委员会$")
_GOVERNMENT = lazy(r"人民政府$|管理委员会$|管委会$|行政公署$")
_OFFICE = lazy(r"(?:人民政府|管委会|管理委员会)?办公(?:室|厅)$")


def agency_kind(agency: str | None) -> str:
    """government | office | department | township | other, from how the name ends."""
    if not agency:
        return "other"
    name = _squash(agency)
    if _TOWNSHIP_GOVERNMENT.search(name):
        return "township"
    if _OFFICE.search(name) and ("人民政府" in name or "管委会" in name or "管理委员会" in name):
        return "office"
    if _GOVERNMENT.search(name):
        return "government"
    if re.search(r"(?:局|厅|委员会|委|办|署|中心|院|所|处|队|站|部|会)$", name):
        return "department"
    return "other"
