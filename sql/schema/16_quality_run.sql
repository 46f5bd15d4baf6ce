-- One row per validation run of the expectation suites (every run is kept).
create table if not exists quality_run (
    run_id        varchar not null,        -- e.g. 20261122T020000Z-3f2a9c (UTC start + random suffix)
    started_at    timestamp not null,
    finished_at   timestamp not null,
    gx_version    varchar not null,
    gx_success    boolean not null,        -- every expectation of every suite passed
    reports       integer not null,        -- reports in the warehouse at validation time
    reports_flagged integer not null,      -- reports failing at least one error-severity rule
    results       integer not null,        -- rows written to quality_result
    seconds       double not null,
    data_docs     varchar                  -- index.html of the Data Docs site built by this run
);
