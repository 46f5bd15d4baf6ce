-- `gongkai validate --all`: every report, numbered into chunks of $chunk_reports.
create or replace temp table _scope as
select report_id, (row_number() over (order by report_id) - 1) // $chunk_reports as chunk_no
from dim_report;
