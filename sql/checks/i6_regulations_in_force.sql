-- Scoped to the reports of the chunk being validated (temp table _chunk: report_id).
-- I6 (2021 format, warning only): 现行有效件数(t) = 现行有效件数(t-1) + 本年制发件数(t) - 本年废止件数(t),
-- for 规章 and 行政规范性文件, same agency, consecutive years, both in the 2021 format.
with measures as (
    select
        r.report_id, r.agency_id, r.year, d.item_key,
        max(d.value) filter (where d.measure_key = 'issued') as issued,
        max(d.value) filter (where d.measure_key = 'repealed') as repealed,
        max(d.value) filter (where d.measure_key = 'in_force') as in_force
    from fct_disclosure as d
    join dim_report as r using (report_id)
    where d.template = '2021' and d.item_key in ('rules', 'normative_docs') and r.agency_id is not null
      and r.agency_id in (select agency_id from dim_report where report_id in (select report_id from _chunk))
    group by all
)
select
    cur.report_id,
    'I6' as rule,
    cur.item_key as item,
    coalesce(prev.in_force, 0) + coalesce(cur.issued, 0) - coalesce(cur.repealed, 0) as expected,
    cur.in_force as observed,
    case when observed is null and expected = 0 then 0 else expected - observed end as residual,
    'warning' as severity,
    '现行有效 = ' || prev.year || ' 现行有效 + 制发 - 废止 for ' || cur.item_key as detail
from measures as cur
join measures as prev on prev.agency_id = cur.agency_id and prev.item_key = cur.item_key and prev.year = cur.year - 1
where cur.report_id in (select report_id from _chunk)
