-- Every comparison of one report ($report_id) in the latest run.
select q.rule, q.item, q.expected, q.observed, q.passed, q.severity, q.detail
from quality_result as q
where q.report_id = $report_id
  and q.run_id = (select run_id from quality_run order by finished_at desc limit 1)
order by q.rule, q.item
