-- The rows of table 三 as a hierarchy: group (received / result / carried_forward),
-- category (予以公开, 部分公开, 不予公开, 无法提供, 不予处理, 其他处理) and leaf, with the
-- label printed in each format. The 2021 （六） rows name the 2019 single row `other`
-- as their parent_key, so the two formats roll up to the same category.
create table if not exists dim_disposition (
    disposition_key varchar primary key,
    ordinal         integer not null,
    disposition_group varchar not null,    -- received | result | carried_forward
    category        varchar,               -- 予以公开 … 其他处理; null for received, carried_forward and the （七）总计 row
    category_en     varchar,               -- granted | partial | denied | unable | not_processed | other
    parent_key      varchar,               -- other_* rows -> 'other'
    label_2019      varchar,               -- null when the row is not in the 2019 format
    label_2021      varchar,               -- null when the row is not in the 2021 format
    is_leaf         boolean not null,      -- counted in （七）总计
    is_total        boolean not null       -- the printed （七）总计 row
);
