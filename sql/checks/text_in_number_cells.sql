-- Scoped to the reports of the chunk being validated (temp table _chunk: report_id).
-- Text in a number cell (error), per report: cells where a number belongs that print text
-- which is not a number ("不详"). The extractor never reads them as blank: it keeps each
-- cell and its printed text in dim_report.notes ("text in a number cell: WHERE: 'TEXT'").
-- expected 0 / observed = how many such cells.
select
    report_id,
    'text_in_number_cells' as rule,
    'number_cells' as item,
    0 as expected,
    len(cells) as observed,
    observed - expected as residual,
    'error' as severity,
    case when len(cells) = 0 then 'every number cell prints a number or a blank'
         else array_to_string(cells, '; ') end as detail
from (
    select report_id,
           list_filter(coalesce(json_extract_string(notes, '$[*]'), []::varchar[]),
                       lambda n: starts_with(n, 'text in a number cell')) as cells
    from dim_report
    where report_id in (select report_id from _chunk)
)
