-- Same-agency year-over-year: one row per agency (agency_key, followed across renames) x
-- year x measure of table 三 (new_received, carried_over, the result categories 予以公开 …
-- 其他处理, carried_forward, and handled = their sum), with the agency's value the year
-- before, the change and the relative change. previous_* are null when the agency did not
-- report the year before. status / previous_status: 'flagged' if any of that year's reports
-- of the agency was flagged. reports > 1 means the agency printed several reports that year.
-- Grouped from rollup_report_categories, which carries each report's agency_key.
create or replace view v_agency_yoy as
with per_year as (
    select
        c.agency_key,
        c.year,
        c.category as measure,
        count(*) as reports,                -- one roll-up row per report x category
        sum(c.requests) as value,
        if(bool_or(c.status = 'flagged'), 'flagged', min(c.status)) as status
    from rollup_report_categories as c
    where c.agency_key is not null
    group by c.agency_key, c.year, c.category
    union all
    select
        c.agency_key,
        c.year,
        'handled',
        count(*) filter (where c.first_category),
        sum(c.requests) filter (where c.category not in ('new_received', 'carried_over', 'carried_forward')),
        if(bool_or(c.status = 'flagged'), 'flagged', min(c.status))
    from rollup_report_categories as c
    where c.agency_key is not null
    group by c.agency_key, c.year
),
names as (
    select agency_key, year, any_value(agency) as agency from v_agency_report group by agency_key, year
)
select
    cur.agency_key,
    n.agency,
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
left join names as n on n.agency_key = cur.agency_key and n.year is not distinct from cur.year
left join per_year as prev
  on prev.agency_key = cur.agency_key and prev.measure = cur.measure and prev.year = cur.year - 1;
