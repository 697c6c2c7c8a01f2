-- 0050: the probation caseload's index (Features/People/CaseloadSql.cs). A caseload reads one delivery unit's releases
-- since a date, the unit compared in capitals (codes are stored as sent), so a GET reads only that unit's 90 days.
CREATE INDEX ix_episodes_pdu_release_date ON episodes (upper(pdu_code), release_date);
