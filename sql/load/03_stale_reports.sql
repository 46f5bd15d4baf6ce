-- Reports to remove before inserting the batch: those re-extracted now (_batch_shas), and
-- those whose content no loaded file has any more (a changed file's old version).
create or replace temp table _stale_reports as
select report_id
from dim_report
where sha256 in (select sha256 from _batch_shas)
   or sha256 not in (select sha256 from source_file where outcome = 'loaded');
