-- The chunk's reports: 'flagged' when a CURRENT error-severity verdict fails, else 'passed'.
-- Flagged reports stay in the warehouse; analysts filter on status.
update dim_report
set status = case
    when report_id in (
        select report_id from quality_verdict
        where not passed and severity = 'error' and report_id in (select report_id from _chunk)
    ) then 'flagged'
    else 'passed'
end
where report_id in (select report_id from _chunk);
