"""A source URL's host as context: which of several candidates does the site name?

Government sites spell their place in pinyin, in full or as initials, often several levels
glued together (``www.njgl.gov.cn`` for 南京市鼓楼区, ``www.fuzhou.gov.cn``). A host is only
ever used to choose among candidates the printed text already produced, and only when it
names exactly one of them through a level that differs between them; it never resolves a
place on its own. pypinyin is imported on first use (it takes ~0.25 s to load).
"""

from __future__ import annotations

import re
from functools import cache
from urllib.parse import urlparse

from gongkai.gazetteer.index import Place
from gongkai.lazyre import lazy

_GENERIC_LABELS = frozenset({"www", "gov", "cn", "com", "net", "org", "edu", "zwgk", "xxgk", "gk", "zw", "xx", "m"})
_ETHNIC = (
    "蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|高山|拉祜|水|东乡|"
    "纳西|景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|乌孜别克|俄罗斯|"
    "鄂温克|德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺"
)
_AUTONOMOUS = lazy(rf"^(.+?)(?:(?:{_ETHNIC})族)*自治(?:区|州|县|旗)$")
_SUFFIX = lazy(r"^(.+?)(?:特别行政区|地区|街道|苏木|省|市|州|盟|县|区|旗|镇|乡)$")
# Official romanisations pypinyin cannot produce (陕西 and 山西 are both "shanxi" in pinyin).
_EXTRA_KEYS = {"陕西省": ("shaanxi", "sn")}


def host_of(value: str | None) -> str | None:
    """The bare lower-case host of a host or URL ('http://WWW.x.gov.cn:80/a' -> 'www.x.gov.cn')."""
    if not value:
        return None
    value = value.strip().lower()
    if "://" in value:
        value = urlparse(value).hostname or ""
    return value.split("/")[0].split(":")[0] or None


def _labels(host: str) -> list[str]:
    parts = re.split(r"[.\-]", host)
    return [re.sub(r"[^a-z]", "", p) for p in parts if p and p not in _GENERIC_LABELS]


def stem(name: str) -> str:
    """The name without its administrative suffix: 黔东南苗族侗族自治州 -> 黔东南, 鼓楼区 -> 鼓楼."""
    for pattern in (_AUTONOMOUS, _SUFFIX):
        match = pattern.match(name)
        if match and match.group(1):
            return match.group(1)
    return name


@cache
def keys_of(name: str) -> frozenset[str]:
    """Pinyin spellings a site may use for ``name``: full and initials, with and without suffix."""
    from pypinyin import Style, lazy_pinyin

    keys = set(_EXTRA_KEYS.get(name, ()))
    for text in {name, stem(name)}:
        keys.add("".join(lazy_pinyin(text)).lower())
        keys.add("".join(lazy_pinyin(text, style=Style.FIRST_LETTER)).lower())
    return frozenset(k for k in keys if len(k) >= 2 and k.isalpha())


def _segments(label: str, keys: frozenset[str]) -> list[str] | None:
    """Split ``label`` wholly into keys (fewest pieces), or None."""
    best: list[list[str] | None] = [None] * (len(label) + 1)
    best[0] = []
    for end in range(1, len(label) + 1):
        for start in range(end):
            if best[start] is not None and label[start:end] in keys:
                option = best[start] + [label[start:end]]
                if best[end] is None or len(option) < len(best[end]):
                    best[end] = option
    return best[len(label)]


def pick(candidates: list[Place], host: str) -> tuple[list[Place], str]:
    """The candidates the host names through a level that tells them apart, and why."""
    labels = _labels(host)
    if not labels or len(candidates) < 2:
        return candidates, ""
    try:
        import pypinyin  # noqa: F401  (a missing pin must not stop a pipeline: the host is only a hint)
    except ImportError:
        return candidates, ""
    chains = [[n for n in p.path] for p in candidates]
    keyed = [{k: n for n in chain for k in keys_of(n)} for chain in chains]
    common = set.intersection(*(set(k) for k in keyed))
    chosen, evidence = [], []
    for place, keys in zip(candidates, keyed, strict=True):
        for label in labels:
            pieces = _segments(label, frozenset(keys))
            if pieces and any(piece not in common for piece in pieces):
                chosen.append(place)
                evidence.append(f"{label}={'+'.join(keys[p] for p in pieces)}")
                break
    if len(chosen) == 1:
        return chosen, f"host {host} names {evidence[0]}"
    return candidates, ""
