-- Question: how often were agencies' decisions corrected on administrative reconsideration
-- (行政复议 结果纠正 / concluded cases), per province and year? From v_review_outcomes;
-- every report printing table 四 counts, flagged ones too (status shows how many were).
select
    province,
    year,
    count(*) as reports,
    count(*) filter (where status = 'flagged') as reports_flagged,
    sum(upheld) as upheld,
    sum(corrected) as corrected,
    sum(other) as other,
    sum(pending) as pending,
    sum(concluded) as concluded,
    round(sum(corrected) / nullif(sum(concluded), 0), 3) as correction_rate
from v_review_outcomes
where proceeding_key = 'reconsideration'
group by all
order by province, year;
