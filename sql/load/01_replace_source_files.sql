-- Record the batch's files (registered as _batch_files) with the hash they have now.
delete from source_file where source_ref in (select source_ref from _batch_files);
insert into source_file (source_ref, sha256, parser_version, size_bytes, loaded_at, outcome, report_count)
select source_ref, sha256, parser_version, size_bytes, loaded_at, outcome, report_count from _batch_files;
