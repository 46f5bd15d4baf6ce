-- Scoped to the reports of the chunk being validated (temp table _chunk: report_id).
-- Plausibility (warning): 2021 行政事业性收费 amounts, converted to 万元 for the comparison
-- only, within a ceiling for the level of the place the agency belongs to. The stored
-- value is never converted. residual = amount above the ceiling (0 when within).
select
    d.report_id,
    'plausibility_fees' as rule,
    'admin_fees.amount' as item,
    case g.level
        when 'township' then 1000 when 'county' then 100000
        when 'prefecture' then 1000000 when 'province' then 10000000
        else 100000 end as expected,  -- unresolved places: the county ceiling
    d.value * case d.unit when '元' then 0.0001 when '亿元' then 10000 else 1 end as observed,
    greatest(observed - expected, 0) as residual,
    'warning' as severity,
    '收费金额 ' || d.value || coalesce(d.unit, '') || ' vs ceiling ' || expected || ' 万元 for a '
        || coalesce(nullif(g.level, 'unresolved'), 'county') || '-level agency' as detail
from fct_disclosure as d
join dim_report as r using (report_id)
left join dim_region as g on g.adcode = r.adcode
where d.template = '2021' and d.item_key = 'admin_fees' and d.measure_key = 'amount' and d.value is not null
  and d.report_id in (select report_id from _chunk)
