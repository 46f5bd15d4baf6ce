-- Remove stale reports whole: every fact and the report row, in the caller's transaction.
delete from fct_requests where report_id in (select report_id from _stale_reports);
delete from fct_disclosure where report_id in (select report_id from _stale_reports);
delete from fct_review where report_id in (select report_id from _stale_reports);
delete from dim_report where report_id in (select report_id from _stale_reports);
delete from quality_verdict where report_id in (select report_id from _stale_reports);
delete from quality_result where report_id in (select report_id from _stale_reports);
delete from report_region where report_id in (select report_id from _stale_reports);
delete from rollup_report_dispositions where report_id in (select report_id from _stale_reports);
delete from quality_cell where report_id in (select report_id from _stale_reports);
delete from rollup_report_reviews where report_id in (select report_id from _stale_reports);
