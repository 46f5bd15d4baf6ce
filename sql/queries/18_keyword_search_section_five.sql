-- Question: which reports mention a keyword in section 五 (存在的主要问题及改进情况), and in
-- what words? The keyword's character bigrams select candidate reports from
-- report_text_gram (an index-friendly equality join, no scan of the text); contains()
-- then confirms each candidate on the text itself. snippet shows up to 30 characters either
-- side of the first match, on one line. A one-character keyword has no bigram: every section 五 is scanned.
-- Parameters:
--   $keyword   default "政策解读"   the word or phrase searched for
with grams as (
    select distinct substr($keyword, i, 2) as gram
    from range(1, length($keyword)) as t(i)
),
candidates as (
    select g.report_id
    from report_text_gram as g
    join grams using (gram)
    where g.section = 'problems'
    group by g.report_id
    having count(distinct g.gram) = (select count(*) from grams)
)
select
    t.agency,
    t.year,
    t.province,
    t.county,
    t.status,
    replace(substr(t.section_problems, greatest(1, strpos(t.section_problems, $keyword) - 30),
        length($keyword) + 60), chr(10), ' ') as snippet,
    t.file_name
from v_report_text as t
where contains(t.section_problems, $keyword)
  and (t.report_id in (select report_id from candidates) or length($keyword) < 2)
order by t.year, t.agency;
