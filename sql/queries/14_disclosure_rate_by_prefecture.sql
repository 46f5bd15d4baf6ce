-- Question: what share of handled requests did each prefecture's agencies grant in full
-- (予以公开), and with 部分公开 counted, per year? From v_disclosure_rate at level
-- 'prefecture', summed over statuses (flagged reports left out unless asked).
-- Parameters:
--   $include_flagged   default false   true keeps flagged reports
select
    region_code as prefecture_code,
    region_name as prefecture,
    year,
    sum(reports) as reports,
    sum(granted) as granted,
    sum(partial) as partial,
    sum(handled) as handled,
    round(sum(granted) / nullif(sum(handled), 0), 3) as disclosure_rate,
    round((sum(granted) + sum(partial)) / nullif(sum(handled), 0), 3) as disclosure_rate_incl_partial
from v_disclosure_rate
where level = 'prefecture'
  and (status <> 'flagged' or $include_flagged)
group by all
order by prefecture_code, year;
