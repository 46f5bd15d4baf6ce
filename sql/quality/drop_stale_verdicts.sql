-- `--all` only: verdicts of reports no longer in the warehouse.
delete from quality_verdict where report_id not in (select report_id from dim_report);
