-- The loader, after a batch's delta (_rollup_delta, sign +1): its report x category rows.
insert into rollup_report_categories (report_id, category, requests)
select report_id, category, requests from _rollup_delta where sign = 1;
