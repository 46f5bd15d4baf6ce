-- Analyst view of table 三: one row per report x applicant type x disposition row, with
-- the report's place (every level, as named in the report's year), agency, year and format.
-- applicant_type and disposition_key are the contract's keys ('total' included: the printed
-- 总计 column and （七）总计 row); applicant_group puts the five organisation columns together
-- (natural_person | legal_person_or_org | total). status says whether the quality run
-- flagged the report.
create or replace view v_requests as
select
    r.report_id,
    r.adcode,
    g.province_code,
    g.province,
    g.prefecture_code,
    g.prefecture,
    g.county_code,
    g.county,
    g.township_code,
    g.township,
    r.agency,
    r.agency_id,
    r.year,
    r.template,
    f.applicant_type,
    a.applicant_group,
    f.disposition_key,
    d.disposition_group,
    d.category,
    f.count,
    f.is_blank,
    r.status,
    r.source_ref,
    r.file_name,
    f.source_location
from fct_requests as f
join dim_report as r using (report_id)
join dim_disposition as d using (disposition_key)
join dim_applicant_type as a using (applicant_type)
left join v_report_region as g using (report_id);
