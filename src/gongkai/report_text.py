"""The report's own words: sections 一 总体情况, 五 存在的主要问题及改进情况, 六 其他需要报告的
事项, and its publication date, from the cells of one report copy.

They travel in the ``--provenance`` extension of the contract (``provenance.text``), so
REPORT_SCHEMA.md's keys stay as they are; the loader stores them in ``report_text``.

Publication date, first match wins:
1. a labelled date anywhere in the copy or its page (发布日期 / 发布时间 / 成文日期 / 印发日期 /
   日期：…), as portals print it above the body;
2. a date standing alone on a line after section 六 (the signature date), e.g. 2022年1月20日.
Either must fall in the reporting year or the two years after it (a report is published by
31 January of the next year; late ones later); otherwise the date is left null.
"""

from __future__ import annotations

import re
import unicodedata

from gongkai.template import section_starts

# dates are checked by hand (_iso_date), not with datetime.date: importing datetime costs
# ~1.7 ms of a one-file `gongkai extract --provenance`
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

SECTIONS = {1: "overview", 5: "problems", 6: "other"}
MAX_SECTION_CHARS = 20_000  # a section longer than this is cut (the rest is tables or another report)
_DATE = r"(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?"
_LABELLED = re.compile(r"(?:发布|成文|印发|公开|发文)(?:日期|时间)\s*[:：]?\s*" + _DATE)
_ALONE = re.compile(r"^\s*" + _DATE + r"\s*$")


def _clean(text: str) -> str:
    return re.sub(r"[ \t\u3000]+", " ", unicodedata.normalize("NFKC", text)).strip()


def section_texts(cells, parsed, start: int, stop: int) -> dict[str, str]:
    """The text of sections 一, 五 and 六 of the copy ``cells[start:stop]`` (heading excluded),
    lines joined by newlines; a section the copy lacks is absent."""
    starts = section_starts(cells, parsed, start, stop)
    out = {}
    for number, key in SECTIONS.items():
        begin = starts.get(number)
        if begin is None:
            continue
        later = [i for n, i in starts.items() if n > number and i > begin]
        end = min(later) if later else stop
        lines, last_row = [], None
        for cell in cells[begin + 1:end]:
            text = cell.text.strip()
            if not text:
                continue
            if lines and cell.row == last_row:
                lines[-1] += " " + text
            else:
                lines.append(text)
            last_row = cell.row
        body = _clean("\n".join(lines))[:MAX_SECTION_CHARS]
        if body:
            out[key] = body
    return out


def _iso_date(year: int, month: int, day: int) -> str | None:
    """``datetime.date(year, month, day).isoformat()``, or None where ``date`` raises ValueError."""
    if not (1 <= year <= 9999 and 1 <= month <= 12):
        return None
    leap = month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if not 1 <= day <= _MONTH_DAYS[month - 1] + leap:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _valid(match: re.Match, year: int | None) -> str | None:
    """The match's date (ISO) when it is a real date within the reporting year and the two after it."""
    found = _iso_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if found is None or (year is not None and not (year <= int(match.group(1)) <= year + 2)):
        return None
    return found


def publication_date(cells, start: int, stop: int, year: int | None,
                     other_text: str | None = None) -> tuple[str | None, str | None]:
    """(ISO date, where it was found) of the copy's publication, or (None, None)."""
    texts = [(c.text, c.where) for c in cells[start:stop]]
    for text, where in texts:
        for match in _LABELLED.finditer(unicodedata.normalize("NFKC", text)):
            found = _valid(match, year)
            if found:
                return found, f"{where}: {match.group(0).strip()}"
    if other_text:
        match = _ALONE.search(other_text.splitlines()[-1]) if other_text.splitlines() else None
        if match is None:
            for line in reversed(other_text.splitlines()):
                match = _ALONE.match(unicodedata.normalize("NFKC", line))
                if match:
                    break
        if match:
            found = _valid(match, year)
            if found:
                return found, f"signature date after 六: {match.group(0).strip()}"
    for text, where in reversed(texts):  # the signature on its own line at the end of the copy
        match = _ALONE.match(unicodedata.normalize("NFKC", text))
        if match:
            found = _valid(match, year)
            if found:
                return found, f"{where}: signature date"
    return None, None


def report_text(cells, parsed, start: int, stop: int, year: int | None) -> dict:
    """The ``provenance.text`` object: sections and publication date of one copy."""
    sections = section_texts(cells, parsed, start, stop)
    published, evidence = publication_date(cells, start, stop, year, sections.get("other"))
    return {"published_on": published, "published_on_evidence": evidence, "sections": sections}
