-- Disclosure and denial rates by region level x region x year x status: granted (予以公开)
-- / all handled (sum of the leaf disposition rows of the printed 总计 column), the same with
-- partial (部分公开) added, and denied (不予公开) / handled. One row per level ('province' |
-- 'prefecture' | 'county') x region x year x status; to exclude flagged reports filter
-- status <> 'flagged' and recompute the rates from the counts (granted, denied, handled).
-- Grouped from rollup_report_categories (codes in force in the report's year, status kept
-- current by the quality run) without a join per report; names as in force that year.
create or replace view v_disclosure_rate as
with per_place as (
    -- one pass over the roll-up into the places' codes x year x status (sums add up, so the
    -- three levels are then grouped from these few thousand rows)
    select
        province_code, prefecture_code, county_code, year, status,
        count(*) filter (where first_category) as reports,
        sum(requests) filter (where category = '予以公开') as granted,
        sum(requests) filter (where category = '部分公开') as partial,
        sum(requests) filter (where category = '不予公开') as denied,
        sum(requests) filter (where category not in ('new_received', 'carried_over', 'carried_forward')) as handled
    from rollup_report_categories
    group by all
),
rolled as (
    select
        case when grouping(province_code) = 0 then 'province'
             when grouping(prefecture_code) = 0 then 'prefecture' else 'county' end as level,
        coalesce(province_code, prefecture_code, county_code) as region_code,
        year,
        status,
        sum(reports)::bigint as reports,
        sum(granted) as granted,
        sum(partial) as partial,
        sum(denied) as denied,
        sum(handled) as handled
    from per_place
    group by grouping sets ((province_code, year, status), (prefecture_code, year, status), (county_code, year, status))
)
select
    r.level,
    r.region_code,
    coalesce(y.name, g.name) as region_name,
    r.year,
    r.status,
    r.reports,
    r.granted,
    r.partial,
    r.denied,
    r.handled,
    r.granted / nullif(r.handled, 0) as disclosure_rate,
    (r.granted + r.partial) / nullif(r.handled, 0) as disclosure_rate_incl_partial,
    r.denied / nullif(r.handled, 0) as denial_rate
from rolled as r
left join v_region_year as y on y.adcode = r.region_code and y.year = r.year
left join dim_region as g on g.adcode = r.region_code
where r.region_code is not null;
