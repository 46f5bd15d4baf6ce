-- Scoped to the reports of the chunk being validated (temp table _chunk: report_id).
-- Region resolved (warning), per report: the place resolved in the gazetteer without
-- guessing; an ambiguous or unknown place stays unresolved, with its candidates on dim_report.
select
    report_id,
    'region_resolved' as rule,
    'region' as item,
    1 as expected,
    (region_status = 'resolved')::int as observed,
    expected - observed as residual,
    'warning' as severity,
    'place ' || coalesce(region_text, agency, '?') || ': ' || region_status as detail
from dim_report
where report_id in (select report_id from _chunk)
