-- Reports flagged / all reports, by province (as it was that year) and year (status: current verdicts).
select g.province, r.year, count(*) filter (where r.status = 'flagged') as flagged, count(*) as reports
from dim_report as r
left join v_report_region as g using (report_id)
group by all
order by all
