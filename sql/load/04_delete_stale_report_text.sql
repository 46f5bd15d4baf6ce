-- Remove the text and keyword grams of stale reports, in the caller's transaction.
delete from report_text where report_id in (select report_id from _stale_reports);
delete from report_text_gram where report_id in (select report_id from _stale_reports);
