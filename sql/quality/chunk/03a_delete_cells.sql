-- ... and so are the cells behind them.
delete from quality_cell where report_id in (select report_id from _chunk);
