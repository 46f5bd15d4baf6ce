-- Question: which files yielded no report, why, and since when? One row per quarantined
-- file, newest first, with its size and the parser version that gave up on it. A file
-- leaves quarantine when it changes and then extracts (or when a new parser version
-- reads it).
select
    q.source_ref,
    f.size_bytes,
    f.parser_version,
    q.reason,
    q.quarantined_at
from quarantine as q
left join source_file as f using (source_ref)
order by q.quarantined_at desc, q.source_ref;
