-- Reports about to be removed (_stale_reports) go on the quality to-do list with their
-- agency and year, so the next validate re-checks their cross-year (I5/I6) neighbours and
-- same-year duplicates.
insert into quality_pending (report_id, agency_id, year, change, marked_at)
select report_id, agency_id, year, 'removed', $now
from dim_report
where report_id in (select report_id from _stale_reports);
