-- 0050: the probation caseload's index (Features/People/CaseloadIndex.cs, CaseloadSql.cs). A caseload reads one
-- delivery unit's releases since a date, the unit compared in capitals (codes are stored as sent): the code in
-- capitals is a stored generated column, and the index is on it and the release date.
ALTER TABLE episodes ADD COLUMN pdu_code_upper text GENERATED ALWAYS AS (upper(pdu_code)) STORED;
CREATE INDEX ix_episodes_caseload ON episodes (pdu_code_upper, release_date);
