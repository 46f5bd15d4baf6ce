-- Scoped to the reports of the chunk being validated (temp table _chunk: report_id).
-- I1 (printed in the national format): per applicant column,
-- 一 本年新收 + 二 上年结转 = （七）总计 + 四 结转下年度继续办理. Blank cells count as 0.
-- One row per report x column: residual = expected - observed; 0 passes.
select
    report_id,
    'I1' as rule,
    applicant_type as item,
    sum(coalesce(count, 0)) filter (where disposition_key in ('new_received', 'carried_over')) as expected,
    sum(coalesce(count, 0)) filter (where disposition_key in ('total', 'carried_forward')) as observed,
    expected - observed as residual,
    'error' as severity,
    '一+二 = （七）总计+四 in column ' || applicant_type as detail
from fct_requests
where disposition_key in ('new_received', 'carried_over', 'total', 'carried_forward')
  and report_id in (select report_id from _chunk)
group by report_id, applicant_type
