-- The loader, after a batch's delta (_rollup_delta, sign +1): its report x category rows,
-- with the report's year, status and place in force (_rollup_reports, _rollup_regions: the
-- batch's own dim_report and report_region rows, or the whole tables when rebuilt).
insert into rollup_report_categories
    (report_id, category, requests, year, status, province_code, prefecture_code, county_code, first_category,
     agency_key)
select d.report_id, d.category, d.requests, r.year, r.status, g.province_code, g.prefecture_code, g.county_code,
       row_number() over (partition by d.report_id order by d.category) = 1, g.agency_key
from _rollup_delta as d
join _rollup_reports as r using (report_id)
left join _rollup_regions as g using (report_id)
where d.sign = 1;
