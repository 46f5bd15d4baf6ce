-- Table 三 of one report ($report_id) as stored, with where each value was printed.
select disposition_key, applicant_type, count, is_blank, source_location
from fct_requests
where report_id = $report_id
