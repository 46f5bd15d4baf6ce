-- The roll-up contribution of the reports about to be removed (_stale_reports), negated.
create or replace temp table _rollup_delta as
select
    r.adcode,
    r.year,
    coalesce(d.category, d.disposition_key) as category,
    f.report_id,
    -1 as sign,
    -sum(f.count) as requests,
    -count(f.count) as requests_counted
from fct_requests as f
join dim_report as r using (report_id)
join dim_disposition as d using (disposition_key)
where f.report_id in (select report_id from _stale_reports)
  and f.applicant_type = 'total'
  and (d.is_leaf or d.disposition_group in ('received', 'carried_forward'))
group by all;
