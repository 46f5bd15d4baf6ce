-- Scoped to the reports of the chunk being validated (temp table _chunk: report_id).
-- I5: across years, the same agency (same name, same place): 上年结转 of year t =
-- 结转下年度继续办理 of year t-1, per applicant column. Only where both reports exist.
select
    cur.report_id,
    'I5' as rule,
    f.applicant_type as item,
    coalesce(p.count, 0) as expected,
    coalesce(f.count, 0) as observed,
    expected - observed as residual,
    'error' as severity,
    '上年结转 = ' || prev.year || ' 结转下年度 (report ' || prev.report_id || ') in column ' || f.applicant_type as detail
from dim_report as cur
join dim_report as prev on prev.agency_id = cur.agency_id and prev.year = cur.year - 1
join fct_requests as f on f.report_id = cur.report_id and f.disposition_key = 'carried_over'
join fct_requests as p
    on p.report_id = prev.report_id and p.disposition_key = 'carried_forward' and p.applicant_type = f.applicant_type
where cur.agency_id is not null and cur.report_id in (select report_id from _chunk)
