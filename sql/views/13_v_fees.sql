-- Money amounts of table 二 in one unit: every amount cell (2021 format 行政事业性收费 本年收费
-- 金额, 2019 format 政府集中采购 采购总金额) with the value and unit as printed and
-- amount_wan_yuan, the same amount in 万元 (元 x 0.0001, 亿元 x 10000). Without a printed
-- unit the amount is read in the unit the form's header prescribes (2021: 万元, and
-- unit_assumed says so); where the header prescribes none (2019 采购总金额) it stays null:
-- an unknown unit is never guessed. A blank cell gives nulls.
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
    d.value * case
        when d.unit = '元' then 0.0001
        when d.unit = '万元' then 1
        when d.unit = '亿元' then 10000
        when d.unit is null and m.header like '%万元%' then 1
    end as amount_wan_yuan,
    d.unit is null and d.value is not null and m.header like '%万元%' as unit_assumed,
    d.is_blank,
    r.status,
    r.file_name,
    d.source_location
from fct_disclosure as d
join dim_disclosure_measure as m using (template, item_key, measure_key)
join dim_report as r using (report_id)
left join v_report_region as g using (report_id)
where m.has_unit;
