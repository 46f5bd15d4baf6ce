-- Administrative divisions (GB/T 2260, 9-digit township codes) that reports resolved to,
-- with the names of every level above. One row per code (its latest version); the code
-- "unresolved" stands for reports whose place could not be resolved without guessing.
-- Every version of a code, with its years, is in dim_region_version.
create table if not exists dim_region (
    adcode          varchar primary key,
    level           varchar not null,      -- province | prefecture | county | township | unresolved
    name            varchar,
    province_code   varchar,
    province        varchar,
    prefecture_code varchar,
    prefecture      varchar,
    county_code     varchar,
    county          varchar,
    township_code   varchar,
    township        varchar,
    valid_from      integer,               -- first year-end list with this code and name (null: unknown)
    valid_to        integer,               -- last year-end list with the code (null: still in force)
    in_force        boolean                -- listed today (false: abolished or recoded)
);
