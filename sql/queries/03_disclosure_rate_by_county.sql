-- Question: in a given year, which counties' agencies disclosed the largest share of the
-- requests they handled? Disclosure rate = 予以公开 / all handled (sum of the leaf result
-- rows of the printed 总计 column), also with 部分公开 counted as disclosed; from
-- v_disclosure_rate at level 'county' (one row per county x status: flagged rows included).
-- Counties that handled fewer than $min_handled requests are left out (a rate over 2
-- requests says little).
-- Parameters:
--   $year          default 2021   reporting year
--   $min_handled   default 1      smallest number of handled requests shown
select
    g.province,
    g.prefecture,
    r.region_code as county_code,
    r.region_name as county,
    r.year,
    r.reports,
    r.handled,
    r.granted,
    r.partial,
    round(r.disclosure_rate, 3) as disclosure_rate,
    round(r.disclosure_rate_incl_partial, 3) as disclosure_rate_incl_partial
from v_disclosure_rate as r
left join v_region_year as g on g.adcode = r.region_code and g.year = r.year
where r.level = 'county'
  and r.year = $year
  and r.handled >= $min_handled
order by r.disclosure_rate desc nulls last, r.handled desc, r.region_code;
