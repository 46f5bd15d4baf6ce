-- Reports currently failing at least one rule (errors first), with the failing rules and a
-- one-line summary of the failing cells; the first $max_rows (the page stays readable at
-- national scale; v_quality has them all).
select
    r.report_id,
    r.agency,
    r.year,
    coalesce(concat_ws('/', g.province, g.prefecture, g.county, g.township), r.region_text) as place,
    r.source_ref,
    list((q.rule, q.severity) order by q.rule) as rules,
    string_agg(q.rule || ' ' || q.detail, ' | ' order by q.rule) as details
from v_quality as q
join dim_report as r using (report_id)
left join v_report_region as g using (report_id)
where not q.passed
group by all
order by bool_or(q.severity = 'error') desc, r.year, r.agency
limit $max_rows
