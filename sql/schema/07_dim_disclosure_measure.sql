-- The measures (columns) of each table-二 item, per format.
create table if not exists dim_disclosure_measure (
    template    varchar not null,
    item_key    varchar not null,
    measure_key varchar not null,
    header      varchar not null,          -- column header as the national format prints it
    ordinal     integer not null,
    has_unit    boolean not null,          -- amount measures carry a printed unit
    primary key (template, item_key, measure_key)
);
