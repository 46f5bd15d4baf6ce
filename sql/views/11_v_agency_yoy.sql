-- Same-agency year-over-year: one row per agency (agency_key, followed across renames) x
-- year x measure of table 三 (new_received, carried_over, the result categories 予以公开 …
-- 其他处理, carried_forward, and handled = their sum), with the agency's value the year
-- before, the change and the relative change. previous_* are null when the agency did not
-- report the year before. status / previous_status: 'flagged' if any of that year's reports
-- of the agency was flagged. reports > 1 means the agency printed several reports that year.
create or replace view v_agency_yoy as
with per_year as (
    select
        a.agency_key,
        any_value(a.agency) as agency,
        c.year,
        c.category as measure,
        count(distinct c.report_id) as reports,
        sum(c.requests) as value,
        if(bool_or(c.status = 'flagged'), 'flagged', min(c.status)) as status
    from v_request_categories as c
    join v_agency_report as a using (report_id)
    group by a.agency_key, c.year, c.category
    union all
    select
        a.agency_key,
        any_value(a.agency),
        c.year,
        'handled',
        count(distinct c.report_id),
        sum(c.requests) filter (where c.category not in ('new_received', 'carried_over', 'carried_forward')),
        if(bool_or(c.status = 'flagged'), 'flagged', min(c.status))
    from v_request_categories as c
    join v_agency_report as a using (report_id)
    group by a.agency_key, c.year
)
select
    cur.agency_key,
    cur.agency,
    cur.year,
    cur.measure,
    cur.reports,
    cur.value,
    cur.status,
    prev.year as previous_year,
    prev.value as previous_value,
    prev.status as previous_status,
    cur.value - prev.value as change,
    (cur.value - prev.value) / nullif(prev.value, 0) as change_ratio
from per_year as cur
left join per_year as prev
  on prev.agency_key = cur.agency_key and prev.measure = cur.measure and prev.year = cur.year - 1;
