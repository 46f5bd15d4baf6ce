-- Quality verdicts of the latest validation run: one row per report x rule, passed only if
-- every item of the rule passed; detail lists the failing items with their numbers. The
-- report's agency, year, place (in force that year), status and file are joined on.
create or replace view v_quality as
with latest as (
    select run_id from quality_run order by finished_at desc limit 1
),
verdicts as (
    select
        q.report_id,
        q.rule,
        any_value(q.severity) as severity,       -- one severity per rule
        bool_and(q.passed) as passed,
        count(*) filter (where not q.passed) as failing_items,
        coalesce(
            string_agg(
                q.item || ': expected ' || coalesce(printf('%g', q.expected), 'blank') || ', found '
                    || coalesce(printf('%g', q.observed), 'blank'),
                '; ' order by q.item
            ) filter (where not q.passed),
            ''
        ) as detail
    from quality_result as q
    join latest using (run_id)
    group by q.report_id, q.rule
)
select
    v.*,
    r.agency,
    r.agency_id,
    r.year,
    r.adcode,
    g.province,
    g.prefecture,
    g.county,
    r.status,
    r.file_name,
    r.source_ref
from verdicts as v
left join dim_report as r using (report_id)
left join v_report_region as g using (report_id);
