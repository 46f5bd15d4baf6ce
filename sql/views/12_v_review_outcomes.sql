-- Table 四 outcomes: one row per report x proceeding (行政复议, 未经复议直接起诉, 复议后起诉)
-- with the printed counts side by side and the correction rate = 结果纠正 / concluded cases
-- (维持 + 纠正 + 其他, i.e. without 尚未审结). Counts as printed (blank = null; a blank
-- counts as 0 in the rates); total is the printed 总计. status for excluding flagged reports.
-- Read from rollup_report_reviews (the outcome cells side by side, written by the loader):
-- no grouping of the facts per query.
create or replace view v_review_outcomes as
select
    f.report_id,
    r.agency,
    r.agency_id,
    r.year,
    r.adcode,
    g.province,
    g.prefecture,
    g.county,
    f.proceeding_key,
    p.label as proceeding,
    p.kind,
    f.upheld,
    f.corrected,
    f.other,
    f.pending,
    f.total,
    coalesce(f.upheld, 0) + coalesce(f.corrected, 0) + coalesce(f.other, 0) as concluded,
    coalesce(f.corrected, 0) / nullif(concluded, 0) as correction_rate,
    r.status,
    r.file_name
from rollup_report_reviews as f
join dim_report as r using (report_id)
join dim_review_proceeding as p using (proceeding_key)
left join v_report_region as g using (report_id);
