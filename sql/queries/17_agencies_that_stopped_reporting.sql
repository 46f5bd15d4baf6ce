-- Question: which agencies reported in one year but not in the next? From v_agency_report
-- (agency_key follows an agency across renames of its place). Only years before the
-- latest loaded year are compared: the latest year's reports may not all be in yet.
select
    a.agency,
    a.province,
    a.county,
    a.year as reported_in,
    a.year + 1 as missing_in,
    a.file_name
from v_agency_report as a
where a.year < (select max(year) from dim_report)
  and not exists (
      select 1 from v_agency_report as n where n.agency_key = a.agency_key and n.year = a.year + 1
  )
order by a.province, a.agency, a.year;
