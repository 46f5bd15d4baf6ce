-- Requests per report x disposition category (the printed 总计 column of the leaf rows and
-- the received / carried rows), written by the loader with each batch (from the batch's own
-- frames) and deleted with its report: v_request_categories reads it instead of grouping
-- ~200 million facts at national scale.
create table if not exists rollup_report_categories (
    report_id varchar not null,
    category  varchar not null,
    requests  double                       -- sum of the category's counts; null when all blank
);
