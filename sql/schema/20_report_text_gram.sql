-- Keyword index of report_text: every distinct pair of consecutive characters (character
-- bigram) of each section, one row per gram x report x section. Chinese has no spaces, so
-- words cannot be split reliably without a dictionary; bigrams need none. A keyword of n >= 2
-- characters can only occur in a section holding all of its n-1 bigrams: join on gram to
-- find those candidates, then confirm with contains() on the text (sql/queries/18_*).
create table if not exists report_text_gram (
    gram      varchar not null,                -- two characters, as printed (NFKC)
    report_id varchar not null,
    section   varchar not null                 -- overview | problems | other
);
