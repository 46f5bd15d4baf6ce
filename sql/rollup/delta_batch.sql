-- The roll-up contribution of the batch being loaded (_batch_requests, _batch_reports: the
-- loader's frames), per place x year x category, as v_request_categories counts it.
create or replace temp table _rollup_delta as
select
    r.adcode,
    r.year,
    coalesce(d.category, d.disposition_key) as category,
    f.report_id,
    1 as sign,
    sum(f.count) as requests,
    count(f.count) as requests_counted
from _batch_requests as f
join _batch_reports as r using (report_id)
join dim_disposition as d using (disposition_key)
where f.applicant_type = 'total'
  and (d.is_leaf or d.disposition_group in ('received', 'carried_forward'))
group by all;
