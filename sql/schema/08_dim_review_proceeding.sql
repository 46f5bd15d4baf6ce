-- Table 四 proceedings: 行政复议, 未经复议直接起诉, 复议后起诉.
create table if not exists dim_review_proceeding (
    proceeding_key varchar primary key,
    label          varchar not null,
    kind           varchar not null,       -- reconsideration | litigation
    ordinal        integer not null
);
