-- Per rule: reports failing it and reports it applies to, current verdicts.
select rule, count(*) filter (where not passed) as failing, count(*) as applicable
from v_quality
group by rule
order by min(case rule when 'I1' then 1 when 'I2' then 2 when 'I3' then 3 when 'I4' then 4
                       when 'I5' then 5 when 'I6' then 6 else 7 end), rule
