-- 0016: an HMPPS event that cannot be processed is parked after a few attempts instead of failing on every
-- redelivery (Features/Events/HmppsEventService.cs): how many attempts failed, when it was parked, and why
-- (outcome_detail, the last error: exception types and SQLSTATE only, never the event's data).
ALTER TABLE hmpps_events ADD COLUMN attempts integer NOT NULL DEFAULT 0;
ALTER TABLE hmpps_events ADD COLUMN parked_at timestamp with time zone NULL;
-- ADMIN's list of parked events, newest first.
CREATE INDEX ix_hmpps_events_parked_at ON hmpps_events (parked_at) WHERE parked_at IS NOT NULL;
