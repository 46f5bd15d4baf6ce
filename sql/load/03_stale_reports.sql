-- Reports to remove before inserting the batch: those re-extracted now (_batch_shas), and
-- those whose content no loaded file has any more (a changed file's old version). Only the
-- batch's files changed, so only their previous hashes (_replaced_shas) are looked up:
-- the cost of a batch does not grow with the warehouse.
create or replace temp table _stale_reports as
with orphaned as (
    select r.sha256
    from _replaced_shas as r
    left join source_file as s on s.sha256 = r.sha256 and s.outcome = 'loaded'
    where s.sha256 is null
)
select report_id
from dim_report
where sha256 in (select sha256 from _batch_shas)
   or sha256 in (select sha256 from orphaned);
