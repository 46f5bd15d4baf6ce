-- One row per extracted report: where it came from, how it was read, what it is about.
-- status is 'loaded' on load; the quality run sets 'flagged' or 'passed' (never drops it).
create table if not exists dim_report (
    report_id       varchar not null,
    source_ref      varchar not null,      -- path or URL as given to the loader
    file_name       varchar not null,
    sha256          varchar not null,      -- of the source file's bytes
    source_format   varchar not null,      -- txt | md | html | docx | pdf | doc | wps
    template        varchar,               -- '2019' | '2021'
    template_evidence varchar,
    parser_version  varchar not null,
    extracted_at    timestamp not null,
    status          varchar not null,      -- loaded | passed | flagged
    year            integer,
    agency          varchar,
    agency_id       varchar,
    region_text     varchar,
    adcode          varchar not null,      -- dim_region.adcode ('unresolved' when unknown)
    region_status   varchar not null,      -- resolved | ambiguous | unresolved
    region_candidates json,                -- candidate codes/paths when not resolved
    has_table2      boolean not null,
    has_table3      boolean not null,
    has_table4      boolean not null,
    notes           json
);
