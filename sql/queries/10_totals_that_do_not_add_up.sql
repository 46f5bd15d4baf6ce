-- Question: which agencies' totals do not add up (identities I1-I4, current
-- verdicts), and which printed cells are involved? One row per failing comparison x cell from
-- v_quality_cells, with the numbers compared, the cell's value and where it was printed.
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
order by agency, year, rule, item, cell_row, cell_column;
