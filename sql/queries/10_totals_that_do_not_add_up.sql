-- Question: which agencies' totals do not add up (identities I1-I4, current
-- verdicts), and which printed cells are involved? One row per failing comparison x cell from
-- v_quality_cells, with the numbers compared, the cell's value and where it was printed;
-- the first $limit rows (agency order) of one year or of all years (`gongkai export`
-- writes every row).
-- Parameters:
--   $year    default null   reporting year (null: every year)
--   $limit   default 1000   rows listed
select
    agency,
    year,
    rule,
    item,
    expected,
    observed,
    cell_row,
    cell_column,
    cell_value,
    source_location,
    file_name
from v_quality_cells
where rule in ('I1', 'I2', 'I3', 'I4')
  and (year = $year or $year is null)
order by agency, year, rule, item, cell_row, cell_column
limit $limit;
