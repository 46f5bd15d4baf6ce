-- Question: which agencies reported in one year but not in the next? By agency_key (as in
-- v_agency_report: it follows an agency across renames of its place), read from
-- report_region, where the loader stores it. Only years before the
-- latest loaded year are compared: the latest year's reports may not all be in yet.
with stopped as (
    select a.report_id, a.province, a.county, a.year
    from report_region as a
    where a.agency_key is not null
      and a.year < (select max(year) from dim_report)
      and not exists (
          select 1 from report_region as n where n.agency_key = a.agency_key and n.year = a.year + 1
      )
)
select
    r.agency,
    s.province,
    s.county,
    s.year as reported_in,
    s.year + 1 as missing_in,
    r.file_name
from stopped as s
join dim_report as r using (report_id)
order by s.province, r.agency, s.year;
