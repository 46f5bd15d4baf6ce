-- Question: which agencies' totals do not add up (identities I1-I4, current
-- verdicts), and which printed cells are involved? One row per failing comparison x cell from
-- v_quality_cells' tables (the failing comparisons and the cells stored with them), with the
-- numbers compared, the cell's value and where it was printed; the first $limit failing
-- comparisons (agency order) of one year or of all years, each with all its cells
-- (`gongkai export` of v_quality_cells writes every row).
-- Parameters:
--   $year    default null   reporting year (null: every year)
--   $limit   default 1000   failing comparisons listed
with listed as (
    select f.report_id, f.rule, f.item, f.expected, f.observed, r.agency, r.year, r.file_name
    from quality_result as f
    join dim_report as r using (report_id)
    where not f.passed
      and f.rule in ('I1', 'I2', 'I3', 'I4')
      and (r.year = $year or $year is null)
    order by r.agency, r.year, f.rule, f.item
    limit $limit
)
select
    l.agency,
    l.year,
    l.rule,
    l.item,
    l.expected,
    l.observed,
    c.cell_row,
    c.cell_column,
    c.cell_value,
    c.source_location,
    l.file_name
from listed as l
left join quality_cell as c using (report_id, rule, item)
order by l.agency, l.year, l.rule, l.item, c.cell_row, c.cell_column;
