-- The report's own words, one row per report: its publication date and sections 一 总体情况,
-- 五 存在的主要问题及改进情况 and 六 其他需要报告的事项 as printed (from extract --provenance,
-- provenance.text). A section the report lacks is null. Search them with contains()
-- (docs/report_text.md: a scan measured faster than a character-bigram index).
create table if not exists report_text (
    report_id             varchar not null,
    published_on          date,                -- null when neither page nor text dates it
    published_on_evidence varchar,             -- where the date was found
    section_overview      varchar,             -- 一、总体情况
    section_problems      varchar,             -- 五、存在的主要问题及改进情况
    section_other         varchar              -- 六、其他需要报告的事项
);
