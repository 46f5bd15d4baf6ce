-- Table 四 outcomes: 结果维持, 结果纠正, 其他结果, 尚未审结, and the printed 总计.
create table if not exists dim_review_outcome (
    outcome_key varchar primary key,
    label       varchar not null,
    ordinal     integer not null,
    is_total    boolean not null
);
