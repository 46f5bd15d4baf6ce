-- The hashes the batch's files had until now (before 01 replaces their source_file rows):
-- only reports of these contents can lose their last file in this batch.
create or replace temp table _replaced_shas as
select distinct sha256 from source_file where source_ref in (select source_ref from _batch_files);
