-- Question: how many requests did each province's agencies receive and how were they
-- handled, per year and disposition category? One row per province x year x category, from
-- v_requests_by_province (sums of the printed 总计 column; flagged reports included, reports
-- without a resolved province left out). category is 予以公开 … 其他处理 for the results, or
-- new_received / carried_over / carried_forward for the received and carried-forward rows:
-- do not add categories of different groups together.
-- Parameters:
--   $first_year   default 2019   first reporting year shown
--   $last_year    default 2025   last reporting year shown
with category_order as (
    select coalesce(category, disposition_key) as category, min(ordinal) as ordinal
    from dim_disposition
    where category is not null or disposition_group in ('received', 'carried_forward')
    group by all
)
select
    p.province_code,
    p.province,
    p.year,
    p.category,
    p.reports,
    p.requests
from v_requests_by_province as p
left join category_order as o using (category)
where p.year between $first_year and $last_year
order by p.province_code, p.year, o.ordinal;
