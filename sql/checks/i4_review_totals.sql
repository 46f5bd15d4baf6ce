-- Scoped to the reports of the chunk being validated (temp table _chunk: report_id).
-- I4: section 四, each 总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结, per proceeding.
select
    report_id,
    'I4' as rule,
    proceeding_key as item,
    sum(coalesce(count, 0)) filter (where outcome_key <> 'total') as expected,
    max(count) filter (where outcome_key = 'total') as observed,
    case when observed is null and expected = 0 then 0 else expected - observed end as residual,
    'error' as severity,
    '总计 = 维持+纠正+其他+尚未审结 for ' || proceeding_key as detail
from fct_review
where report_id in (select report_id from _chunk)
group by report_id, proceeding_key
