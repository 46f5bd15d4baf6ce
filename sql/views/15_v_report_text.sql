-- The report's text with who, when and where: one row per report with its publication date,
-- sections 一, 五, 六 and the agency, year, place (as it was that year), status and file.
create or replace view v_report_text as
select
    t.report_id,
    r.agency,
    r.agency_id,
    r.year,
    g.province,
    g.prefecture,
    g.county,
    t.published_on,
    t.published_on_evidence,
    t.section_overview,
    t.section_problems,
    t.section_other,
    r.status,
    r.file_name
from report_text as t
join dim_report as r using (report_id)
left join v_report_region as g using (report_id);
