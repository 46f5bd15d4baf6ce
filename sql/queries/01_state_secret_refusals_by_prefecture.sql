-- Question: which prefectures' agencies refused the most requests as 国家秘密
-- (table 三 row 1.属于国家秘密, disposition_key 'denied_state_secret') in one year compared
-- with another? Counts are the printed 总计 column (applicant_type 'total'); a blank cell
-- counts as nothing. Reports whose place did not resolve to a prefecture are kept together
-- as one '(place not resolved)' row, so nothing silently drops out of the totals.
-- Read from rollup_report_dispositions (one row per report x table 三 row, with the
-- report's year, status and place in force in its year): no scan of the facts.
-- Parameters:
--   $year_a            default 2021   first year compared
--   $year_b            default 2024   second year compared
--   $include_flagged   default false  true keeps reports the quality run flagged
with per_place as (
    select
        province_code,
        prefecture_code,
        year,
        count(*) as reports,
        sum(total) as refused
    from rollup_report_dispositions
    where disposition_key = 'denied_state_secret'
      and year in ($year_a, $year_b)
      and (status <> 'flagged' or $include_flagged)
    group by all
),
named as (
    select
        coalesce(yp.name, gp.name, '(place not resolved)') as province,
        coalesce(yf.name, gf.name, '(place not resolved)') as prefecture,
        p.year,
        p.reports,
        p.refused
    from per_place as p
    left join v_region_year as yp on yp.adcode = p.province_code and yp.year = p.year
    left join dim_region as gp on gp.adcode = p.province_code
    left join v_region_year as yf on yf.adcode = p.prefecture_code and yf.year = p.year
    left join dim_region as gf on gf.adcode = p.prefecture_code
)
select
    province,
    prefecture,
    coalesce(sum(reports) filter (where year = $year_a), 0)::bigint as reports_a,
    sum(refused) filter (where year = $year_a) as refused_state_secret_a,
    coalesce(sum(reports) filter (where year = $year_b), 0)::bigint as reports_b,
    sum(refused) filter (where year = $year_b) as refused_state_secret_b,
    coalesce(sum(refused) filter (where year = $year_b), 0)
        - coalesce(sum(refused) filter (where year = $year_a), 0) as change
from named
group by all
order by greatest(coalesce(refused_state_secret_a, 0), coalesce(refused_state_secret_b, 0)) desc,
    province, prefecture;
