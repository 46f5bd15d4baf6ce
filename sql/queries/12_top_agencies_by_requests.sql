-- Question: which agencies received the most new requests (本年新收, printed 总计 column)
-- in a year? Flagged reports are kept and marked by status, so a doubtful total is visible.
-- Parameters:
--   $year    default 2021   reporting year
--   $limit   default 10     how many agencies
select
    agency,
    province,
    prefecture,
    county,
    year,
    requests as new_requests,
    status,
    report_id
from v_request_categories
where category = 'new_received'
  and year = $year
order by requests desc nulls last, agency
limit $limit;
