-- Incremental quality: how much of the warehouse a run checked (warehouses created before
-- incremental validation get the columns here).
alter table quality_run add column if not exists mode varchar;              -- incremental | all
alter table quality_run add column if not exists reports_checked integer;   -- reports in the run's scope
