-- Table 四 as printed: report x proceeding x outcome -> count (the printed 总计 included).
create table if not exists fct_review (
    report_id       varchar not null,
    proceeding_key  varchar not null,
    outcome_key     varchar not null,
    count           double,
    is_blank        boolean not null,
    source_location varchar
);
