-- Reports with table-三 facts per place x year (the report counts of v_disclosure_rate),
-- kept up to date by the loader like rollup_requests.
create table if not exists rollup_reports (
    adcode   varchar not null,
    year     integer,
    reports  bigint not null
);
