-- Run summaries per rule (kept for every run): what the run checked and what failed.
create table if not exists quality_run_rule (
    run_id              varchar not null,
    rule                varchar not null,
    severity            varchar not null,
    reports_checked     integer not null,  -- reports the rule applied to in this run's scope
    reports_failing     integer not null,
    comparisons         bigint not null,
    comparisons_failing bigint not null
);
