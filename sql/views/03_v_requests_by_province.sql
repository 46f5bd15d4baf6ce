-- Requests by province x year x disposition category (sums of the printed 总计 column).
-- Reports whose place did not resolve to a province are left out; reports flagged by the
-- quality run are included (filter on v_request_categories.status to exclude them).
create or replace view v_requests_by_province as
select
    province_code,
    province,
    year,
    category,
    count(distinct report_id) as reports,
    sum(requests) as requests
from v_request_categories
where province_code is not null
group by all;
