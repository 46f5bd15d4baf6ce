-- Scoped to the reports of the chunk being validated (temp table _chunk: report_id).
-- I3: per applicant column, （七）总计 = the sum of the leaf disposition rows
-- (dim_disposition.is_leaf: the 2019 single （六） row or the 2021 three rows).
select
    f.report_id,
    'I3' as rule,
    f.applicant_type as item,
    sum(coalesce(f.count, 0)) filter (where d.is_leaf) as expected,
    sum(coalesce(f.count, 0)) filter (where d.is_total) as observed,
    expected - observed as residual,
    'error' as severity,
    '（七）总计 = sum of the disposition rows in column ' || f.applicant_type as detail
from fct_requests as f
join dim_disposition as d using (disposition_key)
where (d.is_leaf or d.is_total) and f.report_id in (select report_id from _chunk)
group by f.report_id, f.applicant_type
