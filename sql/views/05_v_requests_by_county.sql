-- Requests by county x year x status x disposition category (sums of the printed 总计
-- column), with each category's share of the requests handled (the sum of the result
-- categories) by the same county, year and status: share_of_handled of 予以公开 is the
-- disclosure rate, of 不予公开 the denial rate. Reports whose place did not resolve to a
-- county are left out. status ('passed' | 'flagged' | 'loaded') is a grouping column:
-- to exclude flagged reports, filter status <> 'flagged' and add the remaining rows up.
-- Grouped from rollup_report_categories (codes in force in the report's year, status kept
-- current by the quality run): one scan, no join per report; names as in force that year.
create or replace view v_requests_by_county as
with rolled as (
    select
        county_code,
        year,
        status,
        category,
        count(*) as reports,               -- one roll-up row per report x category
        sum(requests) as requests
    from rollup_report_categories
    where county_code is not null
    group by all
)
select
    r.county_code,
    coalesce(y.name, g.name) as county,
    r.year,
    r.status,
    r.category,
    r.reports,
    r.requests,
    case when r.category not in ('new_received', 'carried_over', 'carried_forward') then
        r.requests / nullif(sum(r.requests) filter (
            where r.category not in ('new_received', 'carried_over', 'carried_forward')
        ) over (partition by r.county_code, r.year, r.status), 0)
    end as share_of_handled
from rolled as r
left join v_region_year as y on y.adcode = r.county_code and y.year = r.year
left join dim_region as g on g.adcode = r.county_code;
