-- Question: which prefectures' agencies refused the most requests as 国家秘密
-- (table 三 row 1.属于国家秘密, disposition_key 'denied_state_secret') in one year compared
-- with another? Counts are the printed 总计 column (applicant_type 'total'); a blank cell
-- counts as nothing. Reports whose place did not resolve to a prefecture are kept together
-- as one '(place not resolved)' row, so nothing silently drops out of the totals.
-- Parameters:
--   $year_a            default 2021   first year compared
--   $year_b            default 2024   second year compared
--   $include_flagged   default false  true keeps reports the quality run flagged
select
    coalesce(province, '(place not resolved)') as province,
    coalesce(prefecture, '(place not resolved)') as prefecture,
    count(distinct report_id) filter (where year = $year_a) as reports_a,
    sum(count) filter (where year = $year_a) as refused_state_secret_a,
    count(distinct report_id) filter (where year = $year_b) as reports_b,
    sum(count) filter (where year = $year_b) as refused_state_secret_b,
    coalesce(sum(count) filter (where year = $year_b), 0)
        - coalesce(sum(count) filter (where year = $year_a), 0) as change
from v_requests
where disposition_key = 'denied_state_secret'
  and applicant_type = 'total'
  and year in ($year_a, $year_b)
  and (status <> 'flagged' or $include_flagged)
group by all
order by greatest(coalesce(refused_state_secret_a, 0), coalesce(refused_state_secret_b, 0)) desc,
    province, prefecture;
