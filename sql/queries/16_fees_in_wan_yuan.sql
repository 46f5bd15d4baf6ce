-- Question: which agencies printed the largest money amounts in table 二, in one unit? From v_fees:
-- the value and unit as printed next to the amount in 万元 (元 x 0.0001, 亿元 x 10000; no
-- printed unit: the 万元 the 2021 form prescribes, marked unit_assumed; null when the form prescribes
-- no unit). The 2021 format's
-- item is 行政事业性收费 (admin_fees), the 2019 format's 政府集中采购 (procurement). The
-- $limit largest, of one year or of all years.
-- Parameters:
--   $year    default null   reporting year (null: every year)
--   $limit   default 1000   rows listed
select
    agency,
    year,
    template,
    item_key,
    value,
    unit,
    amount_wan_yuan,
    unit_assumed,
    status,
    source_location
from v_fees
where year = $year or $year is null
order by amount_wan_yuan desc nulls last, agency
limit $limit;
