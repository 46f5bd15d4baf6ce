-- Requests handled per report and disposition category (予以公开 … 其他处理), from the
-- printed 总计 column of the leaf rows (the 2021 （六） sub-rows roll up into 其他处理).
-- Also the received / carried-over / carried-forward counts. Base of the regional roll-ups;
-- the place is the one in force in the report's year.
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
    coalesce(d.category, d.disposition_key) as category,
    sum(f.count) as requests
from fct_requests as f
join dim_report as r using (report_id)
join dim_disposition as d using (disposition_key)
left join v_report_region as g using (report_id)
where f.applicant_type = 'total'
  and (d.is_leaf or d.disposition_group in ('received', 'carried_forward'))
group by all;
