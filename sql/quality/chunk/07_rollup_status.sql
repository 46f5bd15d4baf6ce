-- The chunk's new statuses on the per-report roll-up rows (the regional views and the
-- national questions group by them).
update rollup_report_categories as c
set status = r.status
from dim_report as r
where c.report_id = r.report_id
  and r.report_id in (select report_id from _chunk)
  and c.status is distinct from r.status;
update rollup_report_dispositions as c
set status = r.status
from dim_report as r
where c.report_id = r.report_id
  and r.report_id in (select report_id from _chunk)
  and c.status is distinct from r.status;
update rollup_report_reviews as c
set status = r.status
from dim_report as r
where c.report_id = r.report_id
  and r.report_id in (select report_id from _chunk)
  and c.status is distinct from r.status;
