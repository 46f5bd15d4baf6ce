-- Question: which reports mention a keyword in section 五 (存在的主要问题及改进情况), and in
-- what words? A substring test (contains) over the stored section: Chinese has no spaces to
-- split words on, and a scan of every section 五 was measured faster than a character-bigram
-- index at 100,000 reports (docs/report_text.md). snippet shows up to 30 characters either
-- side of the first match, on one line.
-- Parameters:
--   $keyword   default "政策解读"   the word or phrase searched for
select
    agency,
    year,
    province,
    county,
    status,
    replace(substr(section_problems, greatest(1, strpos(section_problems, $keyword) - 30),
        length($keyword) + 60), chr(10), ' ') as snippet,
    file_name
from v_report_text
where contains(section_problems, $keyword)
order by year, agency;
