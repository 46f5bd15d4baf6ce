-- Question: how did one agency's new requests (本年新收政府信息公开申请数量, printed 总计)
-- change from one year to the next? From v_agency_yoy, which follows the agency across
-- years by agency_key (its name without the place, and the place's series across renames):
-- previous_value is null when the agency did not report the year before.
-- Parameters:
--   $agency   default "威远县人民政府"   the agency's name as printed (any year)
select
    y.agency,
    y.year,
    y.value as new_requests,
    y.previous_year,
    y.previous_value as previous_new_requests,
    y.change,
    round(y.change_ratio, 3) as change_ratio,
    y.status
from v_agency_yoy as y
where y.measure = 'new_received'
  and y.agency_key in (select agency_key from v_agency_report where agency = $agency)
order by y.year;
