-- Each report's place as it was in the report's year, stored once per report (the loader
-- writes a batch's rows with its reports and deletes them with them; a new gazetteer
-- rebuilds the table): the regional views join this instead of picking the version in
-- force for every report again in every query (v_report_region reads it). Columns as in
-- dim_region_version; version_of_year is false where no version's years hold the report's
-- year (no year, a year outside the lists, an unresolved place) and the code's latest
-- version (dim_region) stands in. agency_key follows one agency across years (and code
-- changes) for the year-over-year views.
create table if not exists report_region (
    report_id       varchar not null,
    year            integer,
    adcode          varchar not null,
    level           varchar,
    name            varchar,
    province_code   varchar,
    province        varchar,
    prefecture_code varchar,
    prefecture      varchar,
    county_code     varchar,
    county          varchar,
    township_code   varchar,
    township        varchar,
    series_code     varchar not null,
    version_of_year boolean not null,
    agency_key      varchar                -- v_agency_report's key of the report's agency (its
                                           -- name without the place prefix | series_code)
);
