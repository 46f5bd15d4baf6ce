-- The loader, after inserting a batch: every report of the batch's content (_batch_shas)
-- goes on the quality to-do list; the next validate checks it and its neighbours.
insert into quality_pending (report_id, agency_id, year, change, marked_at)
select report_id, agency_id, year, 'loaded', $now
from dim_report
where sha256 in (select sha256 from _batch_shas);
