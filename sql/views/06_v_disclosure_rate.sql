-- Disclosure rate by region level x year: granted (予以公开) / all handled (sum of the leaf
-- disposition rows of the printed 总计 column), and the same with partial (部分公开) added.
-- One row per level ('province' | 'prefecture' | 'county') x region x year.
-- Read from the roll-ups rollup_requests / rollup_reports (kept up to date by the loader):
-- the same numbers as summing v_request_categories per report, in milliseconds at scale.
create or replace view v_disclosure_rate as
with per_place as (
    select
        r.adcode,
        r.year,
        case when sum(r.requests_counted) filter (where r.category = '予以公开') > 0
             then sum(r.requests) filter (where r.category = '予以公开') end as granted,
        case when sum(r.requests_counted) filter (where r.category = '部分公开') > 0
             then sum(r.requests) filter (where r.category = '部分公开') end as partial,
        case when sum(r.requests_counted) filter (
                  where r.category not in ('new_received', 'carried_over', 'carried_forward')) > 0
             then sum(r.requests) filter (
                  where r.category not in ('new_received', 'carried_over', 'carried_forward')) end as handled
    from rollup_requests as r
    group by r.adcode, r.year
),
per_region as (
    select g.province_code, g.province, g.prefecture_code, g.prefecture, g.county_code, g.county,
           p.year, n.reports, p.granted, p.partial, p.handled
    from per_place as p
    join rollup_reports as n on n.adcode = p.adcode and n.year is not distinct from p.year
    join dim_region as g on g.adcode = p.adcode
),
per_level as (
    select 'province' as level, province_code as region_code, province as region_name, year, reports, granted, partial, handled
    from per_region where province_code is not null
    union all
    select 'prefecture', prefecture_code, prefecture, year, reports, granted, partial, handled
    from per_region where prefecture_code is not null
    union all
    select 'county', county_code, county, year, reports, granted, partial, handled
    from per_region where county_code is not null
)
select
    level,
    region_code,
    region_name,
    year,
    sum(reports)::bigint as reports,
    sum(granted) as granted,
    sum(partial) as partial,
    sum(handled) as handled,
    sum(granted) / nullif(sum(handled), 0) as disclosure_rate,
    (sum(granted) + sum(partial)) / nullif(sum(handled), 0) as disclosure_rate_incl_partial
from per_level
group by all;
