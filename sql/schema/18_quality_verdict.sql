-- The CURRENT verdict of every report x rule the rule applies to: one row each, replaced
-- whenever the report is checked again (incremental runs re-check only what changed, so
-- this table, not the latest run, is the whole picture). v_quality reads it.
create table if not exists quality_verdict (
    report_id     varchar not null,
    rule          varchar not null,
    severity      varchar not null,        -- error | warning
    passed        boolean not null,        -- every item of the rule passed
    failing_items integer not null,
    detail        varchar not null,        -- the failing items with their numbers ('' when passed)
    run_id        varchar not null,        -- the quality_run that gave this verdict
    checked_at    timestamp not null
);
