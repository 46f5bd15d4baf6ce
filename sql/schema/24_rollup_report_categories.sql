-- Requests per report x disposition category (the printed 总计 column of the leaf rows and
-- the received / carried rows), written by the loader with each batch (from the batch's own
-- frames) and deleted with its report: v_request_categories and the regional views read it
-- instead of grouping ~200 million facts at national scale. The report's year, quality
-- status (kept current by the quality run) and place in force in its year (report_region)
-- are carried on every row, so the regional views group it without a join (and the agency's
-- key, for the year-over-year view).
create table if not exists rollup_report_categories (
    report_id       varchar not null,
    category        varchar not null,
    requests        double,                -- sum of the category's counts; null when all blank
    year            integer,
    status          varchar,               -- as dim_report.status
    province_code   varchar,               -- report_region's codes (the place in the report's year)
    prefecture_code varchar,
    county_code     varchar,
    first_category  boolean,               -- true on exactly one row of each report: counting
                                           -- reports is count(*) filter (where first_category)
    agency_key      varchar                -- report_region.agency_key (null: no agency printed)
);
