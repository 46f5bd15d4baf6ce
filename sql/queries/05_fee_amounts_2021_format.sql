-- Question: how much did each agency collect in 行政事业性收费 in a given year, with the
-- unit as printed? Only reports in the 2021 national format, whose table 二 item
-- 行政事业性收费 is MONEY (本年收费金额, prescribed in 万元); the 2019 format counts fee
-- ITEMS instead and is never mixed in. value and unit are as printed; amount_wan_yuan
-- converts 元 and 亿元 to 万元 for comparison only (no printed unit is read as the
-- prescribed 万元). A blank cell gives a null value.
-- Parameters:
--   $year   default 2021   reporting year
select
    r.agency,
    r.year,
    g.province,
    g.county,
    r.status,
    d.value,
    d.unit,
    d.value * case d.unit when '元' then 0.0001 when '亿元' then 10000 else 1 end as amount_wan_yuan,
    d.is_blank,
    r.file_name,
    d.source_location
from fct_disclosure as d
join dim_report as r using (report_id)
left join v_report_region as g using (report_id)
where d.template = '2021'
  and d.item_key = 'admin_fees'
  and d.measure_key = 'amount'
  and r.year = $year
order by amount_wan_yuan desc nulls last, r.agency;
