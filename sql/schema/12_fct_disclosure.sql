-- Table 二 as printed: report x item x measure -> value (+ unit for amounts).
create table if not exists fct_disclosure (
    report_id       varchar not null,
    template        varchar not null,
    item_key        varchar not null,
    measure_key     varchar not null,
    value           double,
    unit            varchar,               -- 元 | 万元 | 亿元 as printed; null when none printed
    is_blank        boolean not null,
    source_location varchar
);
