-- Reports flagged / all reports, by province and year (status set by the latest run).
select g.province, r.year, count(*) filter (where r.status = 'flagged') as flagged, count(*) as reports
from dim_report as r
left join dim_region as g on g.adcode = r.adcode
group by all
order by all
