-- Question: how often were agencies' decisions corrected on administrative reconsideration
-- (行政复议 结果纠正 / concluded cases), per province and year? The outcomes of table 四's
-- reconsideration row as v_review_outcomes gives them, from rollup_report_reviews (one row per
-- report x proceeding, with the report's year, status and place in force);
-- every report printing table 四 counts, flagged ones too (status shows how many were).
with per_place as (
    select
        province_code,
        year,
        count(*) as reports,
        count(*) filter (where status = 'flagged') as reports_flagged,
        sum(upheld) as upheld,
        sum(corrected) as corrected,
        sum(other) as other,
        sum(pending) as pending,
        sum(coalesce(upheld, 0) + coalesce(corrected, 0) + coalesce(other, 0)) as concluded
    from rollup_report_reviews
    where proceeding_key = 'reconsideration'
    group by all
)
select
    coalesce(y.name, g.name) as province,
    p.year,
    sum(p.reports)::bigint as reports,
    sum(p.reports_flagged)::bigint as reports_flagged,
    sum(p.upheld) as upheld,
    sum(p.corrected) as corrected,
    sum(p.other) as other,
    sum(p.pending) as pending,
    sum(p.concluded) as concluded,
    round(sum(p.corrected) / nullif(sum(p.concluded), 0), 3) as correction_rate
from per_place as p
left join v_region_year as y on y.adcode = p.province_code and y.year = p.year
left join dim_region as g on g.adcode = p.province_code
group by all
order by province, year;
