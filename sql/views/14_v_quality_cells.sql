-- The cells behind each current failing comparison (quality_result holds only those): one row per failing
-- result x table 三 / 四 cell it compared, with where the cell was printed
-- (source_location) and the file. I1 (a column: 一, 二, （七）总计, 四), I2 (a row: its six
-- applicant columns and 总计), I3 (a column: the leaf rows and （七）总计), I4 (a proceeding:
-- its five outcome cells). Other rules (completeness, plausibility …) have no single cell:
-- one row with null cell columns. The cells come from quality_cell, written by the quality
-- run with the failures.
create or replace view v_quality_cells as
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
from quality_result as f
left join quality_cell as c using (report_id, rule, item)
join dim_report as r using (report_id)
where not f.passed;
