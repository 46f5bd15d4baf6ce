-- One row per run x report x rule x item (a column, row, table or measure) with the
-- compared numbers as the check SQL computed them and GX's verdict. residual =
-- expected - observed (null when a printed total is blank on a non-zero row).
create table if not exists quality_result (
    run_id    varchar not null,
    report_id varchar not null,
    rule      varchar not null,            -- I1 … I6, completeness, region_resolved, plausibility_counts, plausibility_fees, duplicates
    item      varchar not null,            -- the column / row / table / measure the comparison is about
    expected  double,
    observed  double,
    residual  double,
    severity  varchar not null,            -- error | warning
    passed    boolean not null,
    detail    varchar
);
