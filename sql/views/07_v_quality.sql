-- The CURRENT quality verdict of every report x rule (from quality_verdict: each report's
-- latest check, whichever run made it): passed only if every item of the rule passed;
-- detail lists the failing items with their numbers.
create or replace view v_quality as
select
    report_id,
    rule,
    severity,
    passed,
    failing_items,
    detail
from quality_verdict;
