-- Every file the loader has seen, keyed by path, with the content hash it had when loaded.
-- An unchanged file (same path, same sha256) is skipped; a changed one is replaced.
create table if not exists source_file (
    source_ref   varchar not null,
    sha256       varchar not null,
    parser_version varchar not null,       -- a new parser version re-extracts the file
    size_bytes   bigint not null,
    loaded_at    timestamp not null,
    outcome      varchar not null,         -- loaded | quarantined
    report_count integer not null
);
