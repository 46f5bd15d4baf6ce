-- Scoped to the reports of the chunk being validated (temp table _chunk: report_id).
-- Reading doubt (error), per report read by OCR: cells the identities could not verify and
-- the re-reads did not confirm (notes starting 'ocr_uncertain:'), as distinct from I1-I4,
-- which say the printed numbers do not add up. expected 0; observed = doubtful cells.
with notes as (
    select report_id,
           coalesce(cast(json_extract_string(notes, '$[*]') as varchar[]), []) as note_list
    from dim_report
    where report_id in (select report_id from _chunk)
), doubts as (
    select report_id, list_filter(note_list, lambda n: starts_with(n, 'ocr_uncertain:')) as doubtful
    from notes
)
select
    report_id,
    'ocr_uncertain' as rule,
    'ocr cells' as item,
    0 as expected,
    len(doubtful) as observed,
    observed - expected as residual,
    'error' as severity,
    case when len(doubtful) = 0 then 'no reading doubt'
         else 'OCR could not verify: ' || array_to_string(doubtful[1:5], '; ') end as detail
from doubts
