-- Issuing organs as printed, with the place they resolved to and their kind.
create table if not exists dim_agency (
    agency_id varchar primary key,         -- md5 of name and region code
    name      varchar not null,
    adcode    varchar not null,            -- dim_region.adcode ('unresolved' when unknown)
    kind      varchar not null             -- government | office | department | township | other
);
