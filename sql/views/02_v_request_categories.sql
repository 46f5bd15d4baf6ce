-- Requests handled per report and disposition category (予以公开 … 其他处理), from the
-- printed 总计 column of the leaf rows (the 2021 （六） sub-rows roll up into 其他处理).
-- Also the received / carried-over / carried-forward counts. Base of the regional roll-ups;
-- the place is the one in force in the report's year. Read from rollup_report_categories
-- (written by the loader with each report, deleted with it): the same rows as grouping the
-- facts, without scanning them at national scale.
create or replace view v_request_categories as
select
    r.report_id,
    r.adcode,
    g.province_code,
    g.province,
    g.prefecture_code,
    g.prefecture,
    g.county_code,
    g.county,
    r.agency,
    r.agency_id,
    r.year,
    r.template,
    r.status,
    c.category,
    c.requests
from rollup_report_categories as c
join dim_report as r using (report_id)
left join v_report_region as g using (report_id);
