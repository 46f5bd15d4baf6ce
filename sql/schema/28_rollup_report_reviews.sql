-- Table 四 per report x proceeding (行政复议, 行政诉讼 …): the outcome cells side by side, as
-- v_review_outcomes gives them, written by the loader with each batch (from the batch's own
-- frames) and deleted with its report, with the report's year, quality status (kept current
-- by the quality run) and place in force in its year: national questions about one
-- proceeding (query 15) group it without scanning and joining the facts.
create table if not exists rollup_report_reviews (
    report_id       varchar not null,
    proceeding_key  varchar not null,
    upheld          double,                -- 结果维持; null when blank
    corrected       double,                -- 结果纠正
    other           double,                -- 其他结果
    pending         double,                -- 尚未审结
    total           double,                -- 总计
    year            integer,
    status          varchar,
    province_code   varchar,
    prefecture_code varchar,
    county_code     varchar
);
