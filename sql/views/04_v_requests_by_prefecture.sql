-- Requests by prefecture x year x disposition category (sums of the printed 总计 column).
-- Reports whose place did not resolve to a prefecture are left out; reports flagged by the
-- quality run are included (filter on v_request_categories.status to exclude them).
create or replace view v_requests_by_prefecture as
select
    prefecture_code,
    prefecture,
    year,
    category,
    count(distinct report_id) as reports,
    sum(requests) as requests
from v_request_categories
where prefecture_code is not null
group by all;
