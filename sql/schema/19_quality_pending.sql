-- The quality to-do list: reports loaded or removed since the last validate, written by
-- the loader in the batch's transaction and emptied by the next successful validate.
create table if not exists quality_pending (
    report_id  varchar not null,
    agency_id  varchar,                    -- with year: whose cross-year neighbours to re-check
    year       integer,
    change     varchar not null,           -- loaded | removed
    marked_at  timestamp not null
);
