"""Cutting a cell stream into label → values segments (gongkai.segments.segment)."""

from __future__ import annotations

from gongkai.readers.base import Cell
from gongkai.segments import segment
from gongkai.values import parse_value


def stream(*rows: list[str]):
    cells = [Cell(text, r, f"row {r} col {c}") for r, row in enumerate(rows, start=1)
             for c, text in enumerate(row, start=1)]
    return cells, [parse_value(c.text) for c in cells]


def shape(cells, parsed, start=0, stop=None):
    stop = len(cells) if stop is None else stop
    return [([c.text for c in s.labels], [c.where for c, _ in s.values], s.start)
            for s in segment(cells, parsed, start, stop)]


def test_blanks_before_a_label_on_its_row_are_the_merged_label_column():
    cells, parsed = stream(["三、本年度办理结果", "", "（一）予以公开", "5", "", "7"])
    assert shape(cells, parsed) == [(["三、本年度办理结果", "（一）予以公开"], ["row 1 col 4", "row 1 col 5", "row 1 col 6"], 0)]


def test_blanks_before_a_number_or_at_the_row_end_are_value_positions():
    cells, parsed = stream(["规章", "", "3", ""], ["", "行政许可", "4"])
    assert shape(cells, parsed) == [
        (["规章"], ["row 1 col 2", "row 1 col 3", "row 1 col 4"], 0),
        (["行政许可"], ["row 2 col 3"], 5),
    ]


def test_values_before_any_label_are_not_read_and_a_range_is_cut_alone():
    cells, parsed = stream(["1", "", "规章", "2"], ["行政许可", "", "3"])
    assert shape(cells, parsed) == [(["规章"], ["row 1 col 4"], 2), (["行政许可"], ["row 2 col 2", "row 2 col 3"], 4)]
    # a range ending on a blank keeps it: the row's end is the range's end
    assert shape(cells, parsed, 2, 6) == [(["规章"], ["row 1 col 4"], 2), (["行政许可"], ["row 2 col 2"], 4)]
