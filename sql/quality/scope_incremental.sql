-- The nightly scope: reports loaded since the last validate (quality_pending), plus every
-- report of the same agency in year - 1, year and year + 1 of a report loaded or removed
-- (its I5/I6 pairs and same-year duplicates changed). Numbered into chunks of $chunk_reports.
create or replace temp table _scope as
with touched as (
    select distinct agency_id, year from quality_pending where agency_id is not null and year is not null
),
ids as (
    select report_id from dim_report where report_id in (select report_id from quality_pending)
    union
    select r.report_id
    from dim_report as r
    join touched as t on r.agency_id = t.agency_id and r.year between t.year - 1 and t.year + 1
)
select report_id, (row_number() over (order by report_id) - 1) // $chunk_reports as chunk_no
from ids;
