"""Names that reports print for a place the code lists know under another name.

Each entry: printed name -> (code, name in the code lists). Only administrative equivalences
go here, never a guess: a development zone that spans parts of several counties has no
code and must stay unresolved. The code list's name is checked when the alias is used,
so a stale entry fails loudly in the tests instead of pointing somewhere else.
"""

from __future__ import annotations

ALIASES: dict[str, tuple[str, str]] = {
    # 平潭综合实验区 is the management body of 平潭县 (福建省福州市); the county's people's
    # government and the zone's committee are one organ, and the zone's reports cover the county.
    "平潭综合实验区": ("350128", "平潭县"),
}
