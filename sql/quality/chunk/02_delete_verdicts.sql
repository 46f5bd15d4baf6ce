-- A re-checked report's previous verdicts are superseded.
delete from quality_verdict where report_id in (select report_id from _chunk);
