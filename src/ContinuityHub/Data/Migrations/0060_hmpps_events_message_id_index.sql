-- 0060: an index for the HMPPS event intake's MessageId look-up (a reused SNS MessageId with other content is a new
-- event, logged as a warning: contract §4.2). Without it every event read the whole hmpps_events table, payloads
-- included — measured at 0.9 ms of PostgreSQL per event with 6,000 events stored and growing with the table
-- (docs/performance.md, "HMPPS events path"). Raw events without an envelope have no MessageId: not indexed.
CREATE INDEX ix_hmpps_events_message_id ON hmpps_events (message_id) WHERE message_id IS NOT NULL;
