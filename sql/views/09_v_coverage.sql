-- Coverage: for every year in which any report was loaded, every province, prefecture and
-- county in force that year, with the reports placed in it (at any depth: a county's count
-- includes its townships' and departments' reports) and whether it published at all.
-- Status is carried as counts: reports_flagged, and published_unflagged (a report the
-- quality run did not flag). own_reports counts reports placed at exactly that code.
create or replace view v_coverage as
with years as (
    select distinct year from dim_report where year is not null
),
placed as (
    select g.report_id, g.year, g.adcode, g.province_code, g.prefecture_code, g.county_code,
        r.agency_id, r.status
    from v_report_region as g
    join dim_report as r using (report_id)
),
hits as (
    select year, province_code as code, report_id, adcode, agency_id, status from placed where province_code is not null
    union all
    select year, prefecture_code, report_id, adcode, agency_id, status from placed where prefecture_code is not null
    union all
    select year, county_code, report_id, adcode, agency_id, status from placed where county_code is not null
)
select
    ry.level,
    ry.adcode,
    ry.name,
    ry.province_code,
    ry.province,
    ry.prefecture_code,
    ry.prefecture,
    ry.year,
    count(h.report_id) as reports,
    count(h.report_id) filter (where h.adcode = ry.adcode) as own_reports,
    count(distinct h.agency_id) as agencies,
    count(h.report_id) filter (where h.status = 'flagged') as reports_flagged,
    count(h.report_id) > 0 as published,
    count(h.report_id) filter (where h.status <> 'flagged') > 0 as published_unflagged
from v_region_year as ry
join years using (year)
left join hits as h on h.code = ry.adcode and h.year = ry.year
group by all;
