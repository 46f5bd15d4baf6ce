-- The latest validation run, for the dashboard's headline.
select run_id, finished_at, reports, reports_flagged, gx_success, data_docs
from quality_run
order by finished_at desc
limit 1
