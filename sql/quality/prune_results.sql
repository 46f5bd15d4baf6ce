-- Keep the comparison rows of the latest $keep_runs runs (quality_run keeps every run).
delete from quality_result
where run_id not in (
    select run_id from quality_run order by finished_at desc limit $keep_runs
);
