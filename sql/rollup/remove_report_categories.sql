-- The loader, before removing stale reports: their report x category rows go with them.
delete from rollup_report_categories where report_id in (select report_id from _stale_reports);
