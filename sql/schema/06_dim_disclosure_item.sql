-- Table 二 items and measures, per format: the 2019 and 2021 measures are different
-- concepts (e.g. 2019 fees count fee ITEMS, 2021 fees are MONEY in 万元), never mapped
-- onto each other.
create table if not exists dim_disclosure_item (
    template    varchar not null,
    item_key    varchar not null,
    label       varchar not null,
    clause      varchar not null,          -- 第二十条第（N）项
    ordinal     integer not null,
    primary key (template, item_key)
);
