-- Files that yielded no report, with the one-line reason. Kept until the file changes
-- and extracts successfully.
create table if not exists quarantine (
    source_ref     varchar not null,
    sha256         varchar not null,
    reason         varchar not null,
    quarantined_at timestamp not null
);
