-- Only the failing comparisons are stored (the passing ones are summarised in the verdicts).
insert into quality_result (run_id, report_id, rule, item, expected, observed, residual, severity, passed, detail)
select $run_id, report_id, rule, item, expected, observed, residual, severity, passed, detail
from _chunk_results
where not passed;
