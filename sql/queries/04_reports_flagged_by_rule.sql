-- Question: which quality rules do reports currently fail (each report's verdict from the
-- run that last checked it), and which reports? One row per rule (from v_quality): how many
-- reports it checked and failed, and the failing reports (agency, year, file). Error-severity failures flag a report
-- (dim_report.status = 'flagged'); warnings do not.
select
    q.rule,
    q.severity,
    count(*) as reports_checked,
    count(*) filter (where not q.passed) as reports_failing,
    sum(q.failing_items) as failing_items,
    coalesce(
        string_agg(coalesce(r.agency, '?') || ' ' || coalesce(r.year::varchar, '?') || ' (' || r.file_name || ')',
                   '; ' order by r.agency, r.year, r.file_name) filter (where not q.passed),
        ''
    ) as failing_reports
from v_quality as q
join dim_report as r using (report_id)
group by q.rule, q.severity
order by q.severity, reports_failing desc, q.rule;
