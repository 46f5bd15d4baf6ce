-- The current failing comparisons of one report ($report_id) (only failures are stored;
-- the report's passing rules are in v_quality).
select q.rule, q.item, q.expected, q.observed, q.passed, q.severity, q.detail
from quality_result as q
where q.report_id = $report_id
order by q.rule, q.item
