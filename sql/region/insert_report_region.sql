-- The place in force in the report's year for the reports of _region_reports (report_id,
-- year, adcode, agency, region_text: a loader batch, or every report when the table is
-- rebuilt), and the key that follows the report's agency across years: the version of
-- dim_region_version whose years hold the report's year (a county renamed in 2021 shows
-- its old name on a 2020 report), falling back to the code's latest version (dim_region)
-- when no version covers the year. series_code follows the unit across a code change.
-- _new_regions keeps the batch's rows for the roll-ups written next.
create or replace temp table _new_regions as
with versions as (
    select r.report_id, v.*
    from _region_reports as r
    join dim_region_version as v
      on v.adcode = r.adcode and r.year between coalesce(v.valid_from, 0) and coalesce(v.valid_to, 9999)
    qualify row_number() over (partition by r.report_id order by v.valid_from desc nulls last) = 1
)
select
    r.report_id,
    r.year,
    r.adcode,
    if(v.report_id is null, g.level, v.level) as level,
    if(v.report_id is null, g.name, v.name) as name,
    if(v.report_id is null, g.province_code, v.province_code) as province_code,
    if(v.report_id is null, g.province, v.province) as province,
    if(v.report_id is null, g.prefecture_code, v.prefecture_code) as prefecture_code,
    if(v.report_id is null, g.prefecture, v.prefecture) as prefecture,
    if(v.report_id is null, g.county_code, v.county_code) as county_code,
    if(v.report_id is null, g.county, v.county) as county,
    if(v.report_id is null, g.township_code, v.township_code) as township_code,
    if(v.report_id is null, g.township, v.township) as township,
    coalesce(v.series_code, r.adcode) as series_code,
    v.report_id is not null as version_of_year,
    if(r.agency is null, null, md5(
        coalesce(
            case when r.region_text is not null and starts_with(r.agency, r.region_text)
                 then substr(r.agency, length(r.region_text) + 1) end,
            r.agency
        ) || '|' || if(r.adcode = 'unresolved', 'unresolved:' || r.agency, coalesce(v.series_code, r.adcode))
    )[1:16]) as agency_key
from _region_reports as r
left join versions as v using (report_id)
left join dim_region as g on g.adcode = r.adcode;
insert into report_region select * from _new_regions;
