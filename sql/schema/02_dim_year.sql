-- Reporting years, with the national table format prescribed for that year.
create table if not exists dim_year (
    year              integer primary key,
    expected_template varchar not null     -- '2019' for 2019-2020 reports, '2021' since
);
