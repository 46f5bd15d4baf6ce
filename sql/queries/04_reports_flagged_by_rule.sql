-- Question: which quality rules do reports currently fail (each report's verdict from the
-- run that last checked it), and which reports? One row per rule (from quality_verdict, the
-- table under v_quality): how many
-- reports it checked and failed, and up to $max_listed of the failing reports (agency, year,
-- file; v_quality has them all). Error-severity failures flag a
-- report (dim_report.status = 'flagged'); warnings do not.
-- Parameters:
--   $max_listed   default 20   failing reports listed per rule
with per_rule as (
    select rule, severity, count(*) as reports_checked, count(*) filter (where not passed) as reports_failing,
           sum(failing_items) as failing_items
    from quality_verdict
    group by rule, severity
),
listed as (
    select q.rule, r.agency, r.year, r.file_name
    from (
        select rule, report_id from quality_verdict
        where not passed
        qualify row_number() over (partition by rule order by report_id) <= $max_listed
    ) as q
    join dim_report as r using (report_id)
)
select
    p.rule,
    p.severity,
    p.reports_checked,
    p.reports_failing,
    p.failing_items,
    coalesce(
        (select string_agg(coalesce(l.agency, '?') || ' ' || coalesce(l.year::varchar, '?') || ' (' || l.file_name || ')',
                           '; ' order by l.agency, l.year, l.file_name)
         from listed as l where l.rule = p.rule),
        ''
    ) as failing_reports
from per_rule as p
order by p.severity, p.reports_failing desc, p.rule;
