-- (No primary key on facts: the loader deletes and writes each report whole in one
-- transaction; an index on ~17M rows would slow every bulk load.)
-- Table 三 as printed: report x applicant type x disposition row -> count. The printed
-- 总计 column (applicant_type 'total') and （七）总计 row (disposition 'total') are stored
-- as printed, not recomputed. is_blank tells a blank cell (count null) from a printed 0.
create table if not exists fct_requests (
    report_id       varchar not null,
    applicant_type  varchar not null,
    disposition_key varchar not null,
    count           double,
    is_blank        boolean not null,
    source_location varchar                -- page/table/row/col or line of the value
);
