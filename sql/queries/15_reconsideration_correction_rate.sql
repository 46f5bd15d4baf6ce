-- Question: how often were agencies' decisions corrected on administrative reconsideration
-- (行政复议 结果纠正 / concluded cases), per province and year? The outcomes of table 四's
-- reconsideration row as v_review_outcomes gives them, read straight from fct_review;
-- every report printing table 四 counts, flagged ones too (status shows how many were).
with per_report as (
    select
        report_id,
        max(count) filter (where outcome_key = 'upheld') as upheld,
        max(count) filter (where outcome_key = 'corrected') as corrected,
        max(count) filter (where outcome_key = 'other') as other,
        max(count) filter (where outcome_key = 'pending') as pending
    from fct_review
    where proceeding_key = 'reconsideration'
    group by report_id
)
select
    g.province,
    r.year,
    count(*) as reports,
    count(*) filter (where r.status = 'flagged') as reports_flagged,
    sum(p.upheld) as upheld,
    sum(p.corrected) as corrected,
    sum(p.other) as other,
    sum(p.pending) as pending,
    sum(coalesce(p.upheld, 0) + coalesce(p.corrected, 0) + coalesce(p.other, 0)) as concluded,
    round(sum(p.corrected) / nullif(concluded, 0), 3) as correction_rate
from per_report as p
join dim_report as r using (report_id)
left join report_region as g using (report_id)
group by all
order by province, year;
