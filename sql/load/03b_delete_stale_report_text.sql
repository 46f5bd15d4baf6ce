-- Remove the text of stale reports, in the caller's transaction.
delete from report_text where report_id in (select report_id from _stale_reports);
