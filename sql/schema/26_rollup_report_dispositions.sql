-- Requests per report x table 三 row (disposition_key), per applicant group: the printed
-- 总计 column (total), the 自然人 column (natural_person) and the five organisation columns
-- added up (legal_person_or_org; null when all five are blank). Written by the loader with
-- each batch and deleted with its report; the report's year, quality status (kept current
-- by the quality run) and place in force in its year ride along, so national questions about
-- one row (国家秘密 refusals by prefecture, natural persons vs organisations) read ~27 rows
-- per report without scanning ~200 million facts or joining per report.
create table if not exists rollup_report_dispositions (
    report_id           varchar not null,
    disposition_key     varchar not null,
    total               double,
    natural_person      double,
    legal_person_or_org double,
    year                integer,
    status              varchar,
    province_code       varchar,
    prefecture_code     varchar,
    county_code         varchar
);
