-- Money amounts of table 二 in one unit: every amount cell (2021 format 行政事业性收费 本年收费
-- 金额, 2019 format 政府集中采购 采购总金额) with the value and unit as printed and
-- amount_wan_yuan, the same amount in 万元 (元 x 0.0001, 亿元 x 10000; no printed unit is
-- read as the 万元 the form prescribes, and unit_assumed says so). A blank cell gives nulls.
create or replace view v_fees as
select
    d.report_id,
    r.agency,
    r.agency_id,
    r.year,
    r.adcode,
    g.province,
    g.prefecture,
    g.county,
    d.template,
    d.item_key,
    d.measure_key,
    d.value,
    d.unit,
    d.value * case d.unit when '元' then 0.0001 when '亿元' then 10000 else 1 end as amount_wan_yuan,
    d.unit is null and d.value is not null as unit_assumed,
    d.is_blank,
    r.status,
    r.file_name,
    d.source_location
from fct_disclosure as d
join dim_disclosure_measure as m using (template, item_key, measure_key)
join dim_report as r using (report_id)
left join v_report_region as g using (report_id)
where m.has_unit;
