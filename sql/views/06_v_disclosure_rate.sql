-- Disclosure and denial rates by region level x region x year x status: granted (予以公开)
-- / all handled (sum of the leaf disposition rows of the printed 总计 column), the same with
-- partial (部分公开) added, and denied (不予公开) / handled. One row per level ('province' |
-- 'prefecture' | 'county') x region x year x status; to exclude flagged reports filter
-- status <> 'flagged' and recompute the rates from the counts (granted, denied, handled).
create or replace view v_disclosure_rate as
with per_report as (
    select
        report_id, province_code, province, prefecture_code, prefecture, county_code, county, year, status,
        sum(requests) filter (where category = '予以公开') as granted,
        sum(requests) filter (where category = '部分公开') as partial,
        sum(requests) filter (where category = '不予公开') as denied,
        sum(requests) filter (where category not in ('new_received', 'carried_over', 'carried_forward')) as handled
    from v_request_categories
    group by all
),
per_level as (
    select 'province' as level, province_code as region_code, province as region_name, year, status,
        granted, partial, denied, handled
    from per_report where province_code is not null
    union all
    select 'prefecture', prefecture_code, prefecture, year, status, granted, partial, denied, handled
    from per_report where prefecture_code is not null
    union all
    select 'county', county_code, county, year, status, granted, partial, denied, handled
    from per_report where county_code is not null
)
select
    level,
    region_code,
    region_name,
    year,
    status,
    count(*) as reports,
    sum(granted) as granted,
    sum(partial) as partial,
    sum(denied) as denied,
    sum(handled) as handled,
    sum(granted) / nullif(sum(handled), 0) as disclosure_rate,
    (sum(granted) + sum(partial)) / nullif(sum(handled), 0) as disclosure_rate_incl_partial,
    sum(denied) / nullif(sum(handled), 0) as denial_rate
from per_level
group by all;
