-- Add _rollup_delta (one row per report x category; sign +1 adds, -1 removes) to the
-- roll-ups: update the keys present, insert the new ones, drop keys left with no report.
create or replace temp table _rollup_keys as
select adcode, year, category, sum(sign) as reports, sum(coalesce(requests, 0)) as requests,
       sum(requests_counted) as requests_counted
from _rollup_delta group by all;
update rollup_requests as t
set reports = t.reports + k.reports, requests = t.requests + k.requests,
    requests_counted = t.requests_counted + k.requests_counted
from _rollup_keys as k
where t.adcode = k.adcode and t.year is not distinct from k.year and t.category = k.category;
insert into rollup_requests (adcode, year, category, reports, requests, requests_counted)
select adcode, year, category, reports, requests, requests_counted from _rollup_keys as k
where not exists (select 1 from rollup_requests as t
                  where t.adcode = k.adcode and t.year is not distinct from k.year and t.category = k.category);
delete from rollup_requests where reports = 0;
create or replace temp table _rollup_report_keys as
select adcode, year, any_value(sign) * count(distinct report_id) as reports from _rollup_delta group by all;
update rollup_reports as t set reports = t.reports + k.reports
from _rollup_report_keys as k
where t.adcode = k.adcode and t.year is not distinct from k.year;
insert into rollup_reports (adcode, year, reports)
select adcode, year, reports from _rollup_report_keys as k
where not exists (select 1 from rollup_reports as t where t.adcode = k.adcode and t.year is not distinct from k.year);
delete from rollup_reports where reports = 0;
