-- Question: which counties of a prefecture published no report in a given year? Counties are
-- those in force that year (v_coverage over dim_region_version: a county abolished or
-- renamed before that year is not listed, one created since is); a county counts as
-- published when any report was placed in it (its government, a department, a township).
-- Parameters:
--   $year              default 2021       reporting year
--   $prefecture_code   default "141000"   the prefecture (临汾市)
select
    province,
    prefecture,
    adcode as county_code,
    name as county,
    year
from v_coverage
where level = 'county'
  and year = $year
  and prefecture_code = $prefecture_code
  and not published
order by county_code;
