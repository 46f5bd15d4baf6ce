-- Question: how many new requests came from natural persons and how many from legal persons
-- and other organisations (the five organisation columns together), per year? From
-- rollup_report_dispositions (the facts' applicant groups summed per report and row, kept by
-- the loader), row 本年新收, reports not flagged unless asked.
-- Parameters:
--   $include_flagged   default false   true keeps flagged reports
select
    year,
    count(*) as reports,
    sum(natural_person) as natural_persons,
    sum(legal_person_or_org) as organisations,
    round(natural_persons / nullif(natural_persons + organisations, 0), 3) as natural_person_share
from rollup_report_dispositions
where disposition_key = 'new_received'
  and (status <> 'flagged' or $include_flagged)
group by year
order by year;
