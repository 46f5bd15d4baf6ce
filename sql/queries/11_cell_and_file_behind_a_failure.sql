-- Question: for one failure — a rule and an item of one agency's report — which cells were
-- compared, what did they print, where in which file? From v_quality_cells (current verdicts).
-- Parameters:
--   $agency   default "五寨县人民政府"   the agency as printed
--   $rule     default "I2"               the failing rule
--   $item     default "new_received"     the failing item (row, column or proceeding)
select
    rule,
    item,
    detail,
    expected,
    observed,
    cell_table,
    cell_row,
    cell_column,
    cell_value,
    cell_blank,
    source_location,
    source_ref
from v_quality_cells
where agency = $agency
  and rule = $rule
  and item = $item
order by cell_row, cell_column;
