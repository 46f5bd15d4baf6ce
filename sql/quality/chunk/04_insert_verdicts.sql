-- One verdict per report x rule of the chunk, from GX's decisions on each comparison
-- (_chunk_results: the comparison rows with passed): passed only if every item passed.
insert into quality_verdict (report_id, rule, severity, passed, failing_items, detail, run_id, checked_at)
select
    report_id,
    rule,
    any_value(severity),
    bool_and(passed),
    count(*) filter (where not passed),
    coalesce(
        string_agg(
            item || ': expected ' || coalesce(printf('%g', expected), 'blank') || ', found '
                || coalesce(printf('%g', observed), 'blank'),
            '; ' order by item
        ) filter (where not passed),
        ''
    ),
    $run_id,
    $checked_at
from _chunk_results
group by report_id, rule;
