-- Scoped to the reports of the chunk being validated (temp table _chunk: report_id).
-- Duplicates (warning): the same agency's report for the same year reached from more than
-- one source (different files or pages with different content). residual = other copies.
select
    r.report_id,
    'duplicates' as rule,
    'agency_year' as item,
    0 as expected,
    count(o.report_id) as observed,
    observed - expected as residual,
    'warning' as severity,
    'same agency and year also in: ' || coalesce(string_agg(o.source_ref, ', ' order by o.source_ref), '-') as detail
from dim_report as r
left join dim_report as o
    on o.agency_id = r.agency_id and o.year = r.year and o.report_id <> r.report_id
where r.agency_id is not null and r.year is not null and r.report_id in (select report_id from _chunk)
group by r.report_id
