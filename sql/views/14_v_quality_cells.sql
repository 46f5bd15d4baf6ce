-- The cells behind each current failing comparison (quality_result holds only those): one row per failing
-- result x table 三 / 四 cell it compared, with where the cell was printed
-- (source_location) and the file. I1 (a column: 一, 二, （七）总计, 四), I2 (a row: its six
-- applicant columns and 总计), I3 (a column: the leaf rows and （七）总计), I4 (a proceeding:
-- its five outcome cells). Other rules (completeness, plausibility …) have no single cell:
-- one row with null cell columns.
create or replace view v_quality_cells as
with failing as (
    select q.* from quality_result as q where not q.passed
),
cells as (
    select f.report_id, f.rule, f.item, 'table3' as cell_table, c.disposition_key as cell_row,
        c.applicant_type as cell_column, c.count as cell_value, c.is_blank as cell_blank, c.source_location
    from failing as f
    join fct_requests as c on c.report_id = f.report_id and (
        (f.rule = 'I1' and c.applicant_type = f.item
            and c.disposition_key in ('new_received', 'carried_over', 'total', 'carried_forward'))
        or (f.rule = 'I2' and c.disposition_key = f.item)
        or (f.rule = 'I3' and c.applicant_type = f.item and c.disposition_key in (
            select disposition_key from dim_disposition where is_leaf or is_total)))
    union all
    select f.report_id, f.rule, f.item, 'table4', c.proceeding_key, c.outcome_key, c.count, c.is_blank,
        c.source_location
    from failing as f
    join fct_review as c on c.report_id = f.report_id and f.rule = 'I4' and c.proceeding_key = f.item
)
select
    f.run_id,
    f.report_id,
    f.rule,
    f.item,
    f.expected,
    f.observed,
    f.severity,
    f.detail,
    c.cell_table,
    c.cell_row,
    c.cell_column,
    c.cell_value,
    c.cell_blank,
    c.source_location,
    r.agency,
    r.year,
    r.status,
    r.file_name,
    r.source_ref
from failing as f
left join cells as c using (report_id, rule, item)
join dim_report as r using (report_id)
order by r.agency, r.year, f.rule, f.item, c.cell_table, c.cell_row, c.cell_column;
