-- The cells behind the failing I1-I4 comparisons of the reports in _chunk (the quality run's
-- chunk; every report when a warehouse made before quality_cell is brought up to date).
insert into quality_cell
with failing as (
    select report_id, rule, item from quality_result
    where not passed and rule in ('I1', 'I2', 'I3', 'I4')
      and report_id in (select report_id from _chunk)
)
select f.report_id, f.rule, f.item, 'table3', c.disposition_key, c.applicant_type, c.count, c.is_blank,
    c.source_location
from failing as f
join fct_requests as c on c.report_id = f.report_id and (
    (f.rule = 'I1' and c.applicant_type = f.item
        and c.disposition_key in ('new_received', 'carried_over', 'total', 'carried_forward'))
    or (f.rule = 'I2' and c.disposition_key = f.item)
    or (f.rule = 'I3' and c.applicant_type = f.item and c.disposition_key in (
        select disposition_key from dim_disposition where is_leaf or is_total)))
where c.report_id in (select report_id from _chunk)
union all
select f.report_id, f.rule, f.item, 'table4', c.proceeding_key, c.outcome_key, c.count, c.is_blank,
    c.source_location
from failing as f
join fct_review as c on c.report_id = f.report_id and f.rule = 'I4' and c.proceeding_key = f.item
where c.report_id in (select report_id from _chunk);
