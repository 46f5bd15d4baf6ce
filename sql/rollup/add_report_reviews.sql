-- The per-report x proceeding roll-up of the table 四 facts in _review_facts (a loader batch's
-- frame, or every fact when a warehouse made before the roll-up is brought up to date), with
-- the report's year, status and place in force (_rollup_reports, _rollup_regions: as in
-- add_report_categories.sql).
insert into rollup_report_reviews
select
    f.report_id,
    f.proceeding_key,
    max(f.count) filter (where f.outcome_key = 'upheld') as upheld,
    max(f.count) filter (where f.outcome_key = 'corrected') as corrected,
    max(f.count) filter (where f.outcome_key = 'other') as other,
    max(f.count) filter (where f.outcome_key = 'pending') as pending,
    max(f.count) filter (where f.outcome_key = 'total') as total,
    any_value(r.year) as year,
    any_value(r.status) as status,
    any_value(g.province_code) as province_code,
    any_value(g.prefecture_code) as prefecture_code,
    any_value(g.county_code) as county_code
from _review_facts as f
join _rollup_reports as r using (report_id)
left join _rollup_regions as g using (report_id)
group by f.report_id, f.proceeding_key;
