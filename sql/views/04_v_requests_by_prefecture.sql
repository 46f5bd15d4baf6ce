-- Requests by prefecture x year x status x disposition category (sums of the printed 总计
-- column), with each category's share of the requests handled (the sum of the result
-- categories) by the same prefecture, year and status: share_of_handled of 予以公开 is the
-- disclosure rate, of 不予公开 the denial rate. Reports whose place did not resolve to a
-- prefecture are left out. status ('passed' | 'flagged' | 'loaded') is a grouping column:
-- to exclude flagged reports, filter status <> 'flagged' and add the remaining rows up.
create or replace view v_requests_by_prefecture as
with rolled as (
    select
        prefecture_code,
        prefecture,
        year,
        status,
        category,
        count(distinct report_id) as reports,
        sum(requests) as requests
    from v_request_categories
    where prefecture_code is not null
    group by all
)
select
    *,
    case when category not in ('new_received', 'carried_over', 'carried_forward') then
        requests / nullif(sum(requests) filter (
            where category not in ('new_received', 'carried_over', 'carried_forward')
        ) over (partition by prefecture_code, year, status), 0)
    end as share_of_handled
from rolled;
