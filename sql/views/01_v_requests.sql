-- Analyst view of table 三: one row per report x applicant type x disposition row, with
-- the report's place (every level), agency, year and format. applicant_type and
-- disposition_key are the contract's keys ('total' included: the printed 总计 column and
-- （七）总计 row). status says whether the quality run flagged the report.
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
    r.year,
    r.template,
    f.applicant_type,
    f.disposition_key,
    d.disposition_group,
    d.category,
    f.count,
    f.is_blank,
    r.status,
    r.source_ref,
    f.source_location
from fct_requests as f
join dim_report as r using (report_id)
join dim_disposition as d using (disposition_key)
left join dim_region as g on g.adcode = r.adcode;
