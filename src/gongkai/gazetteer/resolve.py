"""Resolve a report's place to a GB/T 2260 code valid in the report's year.

How a place is read:

1. Both texts are scanned left to right for the longest known name at each position:
   division names (any level, any year), declared aliases, and province/prefecture short
   names (福州, 宁夏), which only ever serve as context.
2. The *target* is the last full name in ``region_text`` (the place the report is about);
   when ``region_text`` is empty, the last full name in ``agency``. Every other name, in
   either text, is *context*.
3. The target's candidates are the divisions of that name in the code lists of the report's
   year (each list is the state at the end of its year), of the year before (a name still in
   force for part of the year) and of the year after (a change dated at New Year, printed
   in a report written the next spring). Context names get candidates the same way.
4. Context narrows the candidates: one whose province, prefecture or county is named in the
   context is preferred; one that a named province/prefecture/county contradicts is dropped.
   Among equals, the report's year's list wins over the year before, then the year after.
   A host may then pick among candidates that remain (see host.py); it never resolves alone.
5. One candidate left: resolved. Several: ambiguous, all listed, never a silent pick. A name
   known nowhere, or only in other years, or contradicted by the context: unresolved.
6. The deepest level known: a unit printed *below* a resolved place that the lists lack
   ("淮安市经济技术开发区", "五寨县城关镇" when 五寨县 has no 城关镇) leaves the place above it
   resolved, and the reason says so (REPORT_SCHEMA: adcode is "the code of the deepest level
   resolved"). An unknown unit *above* the known one ("山西省某某市五寨县") leaves it unresolved.
"""

from __future__ import annotations

import unicodedata
from collections import namedtuple
from functools import lru_cache

from gongkai.gazetteer import host as host_context
from gongkai.gazetteer.aliases import ALIASES
from gongkai.gazetteer.index import Gazetteer, Place, load
from gongkai.lazyre import lazy
from gongkai.placeunit import find_units, match_unit

LEVEL_WORD = {"province": "省", "prefecture": "地", "county": "县", "township": "乡"}
_STRONG_LEVELS = frozenset({"province", "prefecture", "county"})
_WS = lazy(r"\s+")
# A printed unit that looks like a place (as in metadata.region_text_of), with a stem of at
# least two characters: "全市"/"城市" are words, not places.
_PLACE_LIKE = lazy(
    r"[\u4e00-\u9fff]{2,12}?(?:特别行政区|自治区|自治州|自治县|自治旗|新区|实验区|开发区|管理区|示范区|"
    r"园区|省|市|州|盟|地区|县|旗|区|镇|乡|街道|苏木)"
)
# County-level names that are also ordinary words in organ names (城区分局, 新区管委会).
_WORD_NAMES = frozenset({
    "一区", "二区", "东区", "西区", "南区", "北区", "城区", "市区", "新区", "矿区", "郊区", "盐区",
})
_PLACE_UNITS = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "新区", "实验区", "开发区", "管理区", "示范区",
                "园区", "省", "市", "州", "盟", "地区", "县", "旗", "区", "镇", "乡", "街道", "苏木")  # _PLACE_LIKE's units
# Organ names that begin with a township suffix: "XX县乡村振兴局", "XX县乡镇企业局".
_ORGAN_STARTS = ("乡村", "乡镇")
_NOT_PLACE = lazy(r"[和与及局委办厅部院署中心政府公司所站队会社]")  # documents _NOT_PLACE_CHARS (never compiled)
_NOT_PLACE_CHARS = frozenset("和与及局委办厅部院署中心政府公司所站队会社")


# Resolution is a plain class with __slots__ and _Mention a namedtuple, not dataclasses:
# `import dataclasses` and the generated methods cost ~15 ms of CPU in every process, about a
# fifth of a one-file `gongkai extract` (this module's two were ~2.5 ms of its import).
class Resolution:
    """The gazetteer's answer. ``status`` is "resolved", "ambiguous" or "unresolved".

    Immutable (setting a field raises AttributeError); :meth:`replace` makes a changed copy.
    """

    __slots__ = ("status", "adcode", "region_path", "level", "province", "prefecture", "county", "township",
                 "province_code", "prefecture_code", "county_code", "township_code", "candidates", "reason")

    def __init__(self, status: str, adcode: str | None = None, region_path: list[str] | None = None,
                 level: str | None = None, province: str | None = None, prefecture: str | None = None,
                 county: str | None = None, township: str | None = None, province_code: str | None = None,
                 prefecture_code: str | None = None, county_code: str | None = None,
                 township_code: str | None = None, candidates: list[dict] | None = None, reason: str = "") -> None:
        values = (status, adcode, [] if region_path is None else region_path, level, province, prefecture,
                  county, township, province_code, prefecture_code, county_code, township_code,
                  [] if candidates is None else candidates, reason)
        for name, value in zip(Resolution.__slots__, values):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: a Resolution is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}: a Resolution is immutable")

    def __reduce__(self):  # pickled through __init__ (__setattr__ refuses)
        return (Resolution, tuple(getattr(self, name) for name in Resolution.__slots__))

    def as_dict(self) -> dict:
        """The fields by name (the lists are the same objects, not copies)."""
        return {name: getattr(self, name) for name in Resolution.__slots__}

    def replace(self, **changes) -> Resolution:
        """A copy with some fields changed, as ``dataclasses.replace`` made."""
        return Resolution(**{**self.as_dict(), **changes})

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return all(getattr(self, name) == getattr(other, name) for name in Resolution.__slots__)
        return NotImplemented

    __hash__ = None  # holds lists: unhashable, as before

    def __repr__(self) -> str:
        return "Resolution(" + ", ".join(f"{name}={getattr(self, name)!r}" for name in Resolution.__slots__) + ")"


# kind: "place" | "alias" | "short"; source: "region_text" | "agency"
_Mention = namedtuple("_Mention", ("name", "kind", "source", "start", "end"))
_Mention.__doc__ = "A known name found in region_text or the agency, and where."


def normalize(text: str | None) -> str:
    """NFKC (full-width to half-width), no whitespace."""
    if not text:
        return ""
    return _WS.sub("", unicodedata.normalize("NFKC", str(text)))


def _scan(text: str, source: str, gaz: Gazetteer) -> list[_Mention]:
    """Leftmost-longest known names in ``text``, with two guards against reading words as places:

    - a name that is also a common word (城区, 新区, 郊区 …) counts only at the start of the
      text or right after another place ("阳泉市城区", not "公安局城区分局");
    - a township name that swallows a county's name and the start of an organ's name
      ("古县乡" in "古县乡村振兴局") gives way to the county."""
    found: list[_Mention] = []
    i, n = 0, len(text)
    while i < n:
        match = None
        for length in range(min(gaz.max_name_length, n - i), 1, -1):
            piece = text[i:i + length]
            if piece in ALIASES:
                kind = "alias"
            elif piece in gaz.by_name or piece in gaz.towns_by_name:
                kind = "place"
            elif piece in gaz.shorts:
                kind = "short"
            else:
                continue
            if match is None:
                match = (piece, kind)
                if kind != "place" or piece in gaz.by_name:
                    break
            elif piece in gaz.by_name and text.startswith(_ORGAN_STARTS, i + length):
                match = (piece, kind)  # 古县 + 乡村振兴局, not 古县乡 + 村振兴局
                break
        if match and match[0] in _WORD_NAMES and not (i == 0 or (found and found[-1].end == i)):
            match = None
        if match is None:
            i += 1
            continue
        found.append(_Mention(match[0], match[1], source, i, i + len(match[0])))
        i += len(match[0])
    return found


def _unknown_places(text: str, mentions: list[_Mention], *, trailing_only: bool) -> list[tuple[int, str]]:
    """(position, unit) of printed units that look like places but are not in the gazetteer.

    In region_text every leftover counts; in an agency name only the unit right after the
    last known place does ("盐池县某某镇人民政府"), since the rest is the organ's name."""
    if trailing_only:
        at = mentions[-1].end if mentions else 0
        unit = match_unit(text, _PLACE_UNITS, at)  # _PLACE_LIKE.match, without compiling it (placeunit.py)
        return [(at, unit)] if unit and _NOT_PLACE_CHARS.isdisjoint(unit) else []
    out, at = [], 0
    for m in [*mentions, None]:
        end = m.start if m else len(text)
        out += [(start, unit) for start, unit in find_units(text, _PLACE_UNITS, at, end)  # _PLACE_LIKE.finditer
                if _NOT_PLACE_CHARS.isdisjoint(unit)]
        at = m.end if m else at
    return out


def _places_named(name: str, kind: str, gaz: Gazetteer, year: int | None) -> list[Place]:
    """Every division (and township) called ``name`` in ``year``'s list (all years if None)."""
    if kind == "alias":
        code, listed = ALIASES[name]
        return [p for p in gaz.by_code.get(code, ()) if p.name == listed and (year is None or p.valid_in(year))]
    out = [p for p in gaz.by_name.get(name, ()) if year is None or p.valid_in(year)]
    for town in gaz.towns_by_name.get(name, ()):
        out += gaz.town_places(town, year)
    return out


def _window(year: int, gaz: Gazetteer) -> list[int]:
    return [y for y in (year, year - 1, year + 1) if gaz.first_year <= y <= gaz.current_year]


def _in_window(m: _Mention, gaz: Gazetteer, year: int) -> dict[Place, int]:
    """The places ``m`` names in the window's lists, each with the first window year naming it."""
    found: dict[Place, int] = {}
    for y in _window(year, gaz):
        for place in _places_named(m.name, m.kind, gaz, y):
            found.setdefault(place, y)
    return found


def _relation(target: Place, context: list[Place]) -> str:
    ancestors = set(target.ancestors())
    for c in context:
        if (c.adcode, c.name) in ancestors:
            return "ancestor"
    for c in context:
        if c.adcode == target.adcode or (target.adcode, target.name) in c.ancestors():
            return "related"  # the same place, or one inside the target
    return "unrelated"


def _candidate_list(places: list[Place]) -> list[dict]:
    seen, out = set(), []
    for p in sorted(places, key=lambda p: (p.adcode, p.path)):
        key = (p.adcode, tuple(p.path))
        if key not in seen:
            seen.add(key)
            out.append({"adcode": p.adcode, "region_path": p.path})
    return out


def _resolved(place: Place, reason: str) -> Resolution:
    return Resolution(
        "resolved", place.adcode, place.path, place.level, place.province, place.prefecture,
        place.county, place.township, place.province_code, place.prefecture_code, place.county_code,
        place.township_code, [], reason,
    )


def _unresolved(reason: str, candidates: list[Place] = (), status: str = "unresolved") -> Resolution:
    return Resolution(status, candidates=_candidate_list(list(candidates)), reason=reason)


def _parent_name(place: Place) -> str:
    above = place.ancestors()
    return above[-1][1] if above else ""


def _describe(place: Place) -> str:
    under = _parent_name(place)
    text = f"matched {LEVEL_WORD[place.level]} name {place.name}"
    return f"{text} under {under}" if under else text


@lru_cache(maxsize=65536)
def _resolve(region_text: str, agency: str, year: int | None, host: str | None) -> Resolution:
    gaz = load()
    when = gaz.clamp(year)
    year_note = "" if year is not None else f"; no year given: the current ({gaz.current_year}+) list"
    rt = _scan(region_text, "region_text", gaz) if region_text else []
    ag = _scan(agency, "agency", gaz) if agency else []

    if region_text:
        primary, source, text = rt, "region_text", region_text
    elif agency:
        primary, source, text = ag, "agency", agency
    else:
        return _unresolved("no region_text or agency given")
    full = [m for m in primary if m.kind != "short"]
    truncated = ""
    if not full and source == "region_text" and ag and ag[0].start == 0 and ag[0].kind != "short" and (
            ag[0].name.startswith(region_text)):
        # a place cut short ("桐乡" for the agency's 桐乡市): the agency prints it whole
        primary, source, text = ag, "agency", agency
        full = [m for m in ag if m.kind != "short"]
        truncated = f"; region_text {region_text!r} is the start of {ag[0].name} in the agency"
    if not full:
        return _unresolved(f"{source} {text!r} names no division in the gazetteer")
    target = full[0] if truncated else full[-1]
    unknown = _unknown_places(text, primary, trailing_only=source == "agency")

    listed = _in_window(target, gaz, when)
    candidates = list(listed)
    if not candidates:
        result = _not_in_force(target, gaz, when, year_note)
        return _above_township(result, target, _places_named(target.name, target.kind, gaz, None),
                               region_text, agency, year, host)

    for m in [m for m in full if m.end <= target.start]:  # places printed above: in force that year too
        if not _in_window(m, gaz, when) and m.name not in _WORD_NAMES:
            return _not_in_force(m, gaz, when, year_note)

    notes = []
    if target.kind == "alias":
        notes.append(f"alias {target.name} → {ALIASES[target.name][1]}")

    # context: every other mention, with its own candidates in the same window
    context = []
    for m in rt + ag:
        if m.name == target.name:
            continue
        if m.kind == "short":
            context.append((m, None))
        else:
            places = list(_in_window(m, gaz, when))
            if places:
                context.append((m, places))
    support: dict[int, int] = {}
    conflicts: dict[int, list[str]] = {}
    for i, cand in enumerate(candidates):
        support[i], conflicts[i] = 0, []
        for m, places in context:
            if places is None:  # a short name: context only when it names a parent
                if {cand.province, cand.prefecture} & gaz.shorts[m.name]:
                    support[i] += 1
                continue
            relation = _relation(cand, places)
            if relation == "ancestor":
                support[i] += 1
            elif relation == "unrelated" and all(p.level in _STRONG_LEVELS for p in places):
                conflicts[i].append(m.name)
    ok = [i for i in range(len(candidates)) if not conflicts[i]]
    if not ok:
        named = "/".join(sorted({n for i in conflicts for n in conflicts[i]}))
        if len(candidates) == 1:
            why = f"{target.name} is {''.join(candidates[0].path)}, not under {named} named in the context"
        else:
            why = f"{target.name}: none of {len(candidates)} candidates lies under {named} named in the context"
        return _above_township(_unresolved(why + year_note, candidates), target, candidates,
                               region_text, agency, year, host)
    best = max(support[i] for i in ok)
    chosen = [candidates[i] for i in ok if support[i] == best]
    context_names = list(dict.fromkeys(m.name for m, _ in context))
    # among equals, the code list of the report's year wins over the year before, then after
    rank = {y: r for r, y in enumerate(_window(when, gaz))}
    first = min(rank[listed[c]] for c in chosen)
    chosen = [c for c in chosen if rank[listed[c]] == first]

    if len(chosen) > 1 and host:
        chosen, why = host_context.pick(chosen, host)
        if why:
            notes.append(why)
    above = [unit for at, unit in unknown if at < target.start]
    if above:  # an unknown name above the known one: nothing below it can be trusted
        what = "、".join(dict.fromkeys(above))
        return _unresolved(f"{source} names {what}, which is not a division in the gazetteer"
                           f" (known part: {target.name})" + year_note, chosen)
    below = [unit for at, unit in unknown if at >= target.end]
    if below:  # a zone or township the lists lack, inside a known place: that place is the deepest known
        notes.append(f"{'、'.join(dict.fromkeys(below))} is not a division in the gazetteer:"
                     f" resolved to {target.name}, the deepest level known")
    if len(chosen) > 1:
        if best == 0:
            why = f"{target.name}: {len(chosen)} candidates, no parent in context"
        else:
            why = f"{target.name}: {len(chosen)} candidates under {'/'.join(context_names)}"
        return _unresolved(why + year_note, chosen, status="ambiguous")

    place = chosen[0]
    if listed[place] != when:
        notes.append(f"{place.name} {place.adcode} is in the {listed[place]} list, not the {when} one")
    if best and len(candidates) > 1:
        notes.append(f"{len(candidates)} candidates narrowed by {'/'.join(context_names)}")
    if not place.in_force:
        remark = next((t.note for t in gaz.towns_by_name.get(place.name, ()) if t.adcode == place.adcode), "")
        notes.append(f"{place.name} is marked abolished ({remark}) in the township list")
    return _resolved(place, _describe(place) + "".join(f"; {n}" for n in notes) + truncated + year_note)


def _not_in_force(m: _Mention, gaz: Gazetteer, when: int, year_note: str) -> Resolution:
    """Unresolved: a name the lists know, but not around the report's year (its versions listed)."""
    history = sorted(_places_named(m.name, m.kind, gaz, None), key=lambda p: p.valid_from or 0)
    spans = ", ".join(f"{p.adcode} {p.years()}" for p in history)
    return _unresolved(f"{m.name}: not in the code list of {when} (nor {when - 1}/{when + 1})"
                       + (f"; listed {spans}" if spans else "") + year_note, history)


def _above_township(result: Resolution, target: _Mention, candidates: list[Place], region_text: str,
                    agency: str, year: int | None, host: str | None) -> Resolution:
    """A township that is not listed where the text puts it ("五寨县城关镇", when 五寨县 has no
    城关镇 in the township list): the place printed above it is the deepest level known.
    Returns ``result`` unchanged unless that place resolves on its own."""
    if target.kind != "place" or any(p.level != "township" for p in candidates) or (
            target.name not in load().towns_by_name):
        return result
    if target.source == "region_text" and target.start > 0:
        region, organ = region_text[:target.start], agency
    elif target.source == "agency":
        region, organ = "", agency[:target.start]
    else:  # region_text is only the township: the agency up to the same name, or all of it
        same = [m for m in _scan(agency, "agency", load()) if m.name == target.name]
        region, organ = "", agency[:same[-1].start] if same else agency
    if not (region or organ):
        return result
    above = _resolve(region, organ, year, host)
    if above.status == "resolved" and above.level != "township":
        return above.replace(reason=(
            f"{above.reason}; {target.name} is not listed under {above.region_path[-1]}: resolved to the "
            f"{LEVEL_WORD[above.level]} name, the deepest level known"))
    if above.status == "ambiguous":
        return above.replace(reason=f"{above.reason}; {target.name} is not listed under any of them")
    return result


def resolve_region(region_text: str | None, agency: str | None, year: int | None,
                   host: str | None = None) -> Resolution:
    """Resolve a report's place (see the module docstring for how)."""
    if year is not None:
        year = int(year)
    result = _resolve(normalize(region_text), normalize(agency), year, host_context.host_of(host))
    # a fresh copy each call: callers may change the lists without touching the cache
    return Resolution(**{
        **result.as_dict(),
        "region_path": list(result.region_path),
        "candidates": [{"adcode": c["adcode"], "region_path": list(c["region_path"])} for c in result.candidates],
    })
