-- The reports of chunk $chunk_no of the run's scope (the check SQL reads _chunk).
create or replace temp table _chunk as
select report_id from _scope where chunk_no = $chunk_no;
