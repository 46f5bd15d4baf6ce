-- After a run ($run_id): a report failing any error-severity rule is 'flagged', every
-- other report 'passed'. Flagged reports stay in the warehouse; analysts filter on status.
update dim_report
set status = case
    when report_id in (
        select report_id from quality_result
        where run_id = $run_id and not passed and severity = 'error'
    ) then 'flagged'
    else 'passed'
end;
