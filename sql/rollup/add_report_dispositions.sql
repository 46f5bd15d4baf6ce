-- The per-report x row roll-up of the facts in _disposition_facts (a loader batch's frame,
-- or every fact when a warehouse made before the roll-up is brought up to date), with the
-- report's year, status and place in force (_rollup_reports, _rollup_regions: as in
-- add_report_categories.sql).
insert into rollup_report_dispositions
select
    f.report_id,
    f.disposition_key,
    sum(f.count) filter (where a.applicant_group = 'total') as total,
    sum(f.count) filter (where a.applicant_group = 'natural_person') as natural_person,
    sum(f.count) filter (where a.applicant_group = 'legal_person_or_org') as legal_person_or_org,
    any_value(r.year) as year,
    any_value(r.status) as status,
    any_value(g.province_code) as province_code,
    any_value(g.prefecture_code) as prefecture_code,
    any_value(g.county_code) as county_code
from _disposition_facts as f
join dim_applicant_type as a using (applicant_type)
join _rollup_reports as r using (report_id)
left join _rollup_regions as g using (report_id)
group by f.report_id, f.disposition_key
order by f.disposition_key;
