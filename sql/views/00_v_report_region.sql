-- Each report's place as it was in the report's year (a county renamed in 2021 shows its
-- old name on a 2020 report; series_code follows the unit across a code change): the
-- base of every regional view. Stored per report in report_region by the loader
-- (sql/region/insert_report_region.sql says how the version is chosen).
create or replace view v_report_region as
select * from report_region;
