-- Agencies first seen in this batch (_batch_agencies); known ones are kept as they are.
insert into dim_agency (agency_id, name, adcode, kind)
select agency_id, name, adcode, kind from _batch_agencies
where agency_id not in (select agency_id from dim_agency);
