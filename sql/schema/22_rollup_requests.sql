-- Roll-up of table 三 (printed 总计 column) per place x year x disposition category, kept
-- up to date by the loader in each batch's transaction (new reports added, replaced or
-- removed ones subtracted), so the regional views answer in milliseconds at national
-- scale instead of scanning ~200 million facts. Same rows as v_request_categories summed.
create table if not exists rollup_requests (
    adcode           varchar not null,     -- dim_region.adcode of the reports ('unresolved' included)
    year             integer,
    category         varchar not null,     -- 予以公开 … 其他处理, or new_received / carried_over / carried_forward
    reports          bigint not null,      -- reports with at least one fact in the category
    requests         double not null,      -- sum of the non-blank counts
    requests_counted bigint not null       -- non-blank counts summed (0: every cell blank -> requests is null in views)
);
