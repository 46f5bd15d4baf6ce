-- A file's quarantine record lasts until the file changes; then it is replaced by this
-- batch's outcome (_batch_quarantine: the files of the batch that yielded no report).
delete from quarantine where source_ref in (select source_ref from _batch_files);
insert into quarantine (source_ref, sha256, reason, quarantined_at)
select source_ref, sha256, reason, quarantined_at from _batch_quarantine;
