-- A re-checked report's previous failing comparisons are superseded.
delete from quality_result where report_id in (select report_id from _chunk);
