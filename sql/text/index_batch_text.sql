-- Character bigrams of the sections of the batch's reports (_batch_text, registered by the
-- loader) into report_text_gram: distinct per report x section, whitespace pairs left out.
insert into report_text_gram (gram, report_id, section)
with sections as (
    select report_id, 'overview' as section, section_overview as body from _batch_text where section_overview is not null
    union all
    select report_id, 'problems', section_problems from _batch_text where section_problems is not null
    union all
    select report_id, 'other', section_other from _batch_text where section_other is not null
),
positions as (
    select report_id, section, body, unnest(range(1, length(body))) as i from sections
)
select distinct substr(body, i, 2) as gram, report_id, section
from positions
where not regexp_matches(substr(body, i, 2), '\s');
