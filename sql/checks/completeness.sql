-- Scoped to the reports of the chunk being validated (temp table _chunk: report_id).
-- Completeness (error), per report: each of tables 二, 三, 四 present with numbers, and the
-- national format recognised. expected 1 / observed 1 passes; observed 0 fails.
select report_id, 'completeness' as rule, item, 1 as expected, observed, expected - observed as residual,
       'error' as severity, detail
from (
    select report_id, 'table2' as item, has_table2::int as observed,
           '表二 主动公开 printed with numbers' as detail from dim_report where report_id in (select report_id from _chunk)
    union all
    select report_id, 'table3', has_table3::int, '表三 依申请公开 printed with numbers' from dim_report where report_id in (select report_id from _chunk)
    union all
    select report_id, 'table4', has_table4::int, '表四 行政复议/诉讼 printed with numbers' from dim_report where report_id in (select report_id from _chunk)
    union all
    select report_id, 'template', (template is not null)::int, 'national format (2019/2021) recognised'
    from dim_report where report_id in (select report_id from _chunk)
)
