-- `--all` only: drop comparison rows that are no longer current (passing rows written by
-- earlier versions, rows of reports no longer in the warehouse).
delete from quality_result where passed or report_id not in (select report_id from dim_report);
delete from quality_cell where report_id not in (select report_id from dim_report);
