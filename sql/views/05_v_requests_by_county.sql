-- Requests by county x year x disposition category (sums of the printed 总计 column).
-- Reports whose place did not resolve to a county are left out; reports flagged by the
-- quality run are included (filter on v_request_categories.status to exclude them).
-- Read from the roll-up rollup_requests (kept up to date by the loader), not the facts:
-- the same numbers as summing v_request_categories, in milliseconds at national scale.
create or replace view v_requests_by_county as
select
    g.county_code,
    g.county,
    r.year,
    r.category,
    sum(r.reports)::bigint as reports,
    case when sum(r.requests_counted) > 0 then sum(r.requests) end as requests
from rollup_requests as r
join dim_region as g on g.adcode = r.adcode
where g.county_code is not null
group by all;
