-- The seven value columns of table 三 (applicant types, plus the printed 总计 column).
create table if not exists dim_applicant_type (
    applicant_type varchar primary key,
    label          varchar not null,
    ordinal        integer not null,
    applicant_group varchar not null,      -- natural_person | legal_person_or_org | total
    is_total       boolean not null
);
