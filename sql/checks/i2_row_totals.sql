-- Scoped to the reports of the chunk being validated (temp table _chunk: report_id).
-- I2: per row of table 三, the printed 总计 = the sum of the six applicant columns.
-- A blank 总计 on a row whose columns are not all zero is not 0: residual is null (fails).
select
    report_id,
    'I2' as rule,
    disposition_key as item,
    sum(coalesce(count, 0)) filter (where applicant_type <> 'total') as expected,
    max(count) filter (where applicant_type = 'total') as observed,
    case when observed is null and expected = 0 then 0 else expected - observed end as residual,
    'error' as severity,
    '总计 = sum of the applicant columns in row ' || disposition_key as detail
from fct_requests
where report_id in (select report_id from _chunk)
group by report_id, disposition_key
