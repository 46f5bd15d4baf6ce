-- A finished run has checked everything on the to-do list as it stood when it started.
delete from quality_pending where marked_at <= $snapshot;
