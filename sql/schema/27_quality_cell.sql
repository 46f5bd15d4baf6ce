-- The printed cells behind each failing identity comparison (I1-I4): one row per failing
-- quality_result row x cell of table 三 or 四 that enters it, with the cell's value and where
-- it was printed. Written by the quality run with the failing comparisons (from the chunk's
-- own reports) and replaced with them, so v_quality_cells reads a few rows per failing
-- report instead of joining the failures to ~200 million facts at national scale.
create table if not exists quality_cell (
    report_id       varchar not null,
    rule            varchar not null,
    item            varchar not null,
    cell_table      varchar not null,      -- table3 | table4
    cell_row        varchar not null,      -- disposition_key | proceeding_key
    cell_column     varchar not null,      -- applicant_type | outcome_key
    cell_value      double,
    cell_blank      boolean,
    source_location varchar
);
