-- The regions in force each reporting year (dim_year x the versions of dim_region_version
-- whose years hold it): one row per year x province / prefecture / county code. A year after
-- the last list takes the versions still in force. Townships are left out (their own
-- history is unknown).
create or replace view v_region_year as
select
    y.year,
    v.adcode,
    v.level,
    v.name,
    v.series_code,
    v.parent_code,
    v.province_code,
    v.province,
    v.prefecture_code,
    v.prefecture,
    v.county_code,
    v.county
from dim_year as y
join dim_region_version as v
  on y.year between coalesce(v.valid_from, 0) and coalesce(v.valid_to, 9999)
where v.level in ('province', 'prefecture', 'county')
qualify row_number() over (partition by y.year, v.adcode order by v.valid_from desc nulls last) = 1;
