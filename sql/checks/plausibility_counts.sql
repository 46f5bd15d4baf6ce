-- Scoped to the reports of the chunk being validated (temp table _chunk: report_id).
-- Plausibility (error): every count of tables 三 and 四, and every table-二 measure that is a
-- count (not a signed change, not an amount), is a non-negative integer. Per report:
-- residual = how many values break it.
with counts as (
    select report_id, count as value from fct_requests where count is not null and report_id in (select report_id from _chunk)
    union all
    select report_id, count from fct_review where count is not null and report_id in (select report_id from _chunk)
    union all
    select report_id, value from fct_disclosure
    where value is not null and measure_key not in ('change', 'amount') and report_id in (select report_id from _chunk)
)
select
    report_id,
    'plausibility_counts' as rule,
    'counts' as item,
    0 as expected,
    count(*) filter (where value < 0 or value <> floor(value)) as observed,
    observed - expected as residual,
    'error' as severity,
    'negative or fractional counts: ' || observed as detail
from counts
group by report_id
