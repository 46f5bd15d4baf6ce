-- Question: what share of the requests they handled did each province's agencies refuse
-- (不予公开), per year, leaving out reports the quality run flagged? Denial rate = 不予公开 /
-- all handled (sum of the leaf result rows of the printed 总计 column), recomputed from the
-- counts of v_disclosure_rate after dropping the flagged rows; the place is the province as
-- it was that year.
-- Parameters:
--   $include_flagged   default false   true keeps flagged reports
select
    region_code as province_code,
    region_name as province,
    year,
    sum(reports) as reports,
    sum(denied) as denied,
    sum(handled) as handled,
    round(sum(denied) / nullif(sum(handled), 0), 3) as denial_rate
from v_disclosure_rate
where level = 'province'
  and (status <> 'flagged' or $include_flagged)
group by all
order by province_code, year;
