-- The CURRENT quality verdict of every report x rule (from quality_verdict: each report's
-- latest check, whichever run made it): passed only if every item of the rule passed;
-- detail lists the failing items with their numbers. The report's agency, year, place (in
-- force that year), status and file are joined on.
create or replace view v_quality as
select
    v.report_id,
    v.rule,
    v.severity,
    v.passed,
    v.failing_items,
    v.detail,
    r.agency,
    r.agency_id,
    r.year,
    r.adcode,
    g.province,
    g.prefecture,
    g.county,
    r.status,
    r.file_name,
    r.source_ref
from quality_verdict as v
left join dim_report as r using (report_id)
left join v_report_region as g using (report_id);
