-- 0040: follow-ups run on Hangfire (issue #14). A recurring Hangfire job takes the due rows straight from this
-- table, in due order (FOR UPDATE SKIP LOCKED): no per-follow-up trigger to keep in line any more, so the
-- synchroniser's mark and its queue go, and the due rows are indexed by fire time (a retry waits in fire_at).
-- Hangfire's own tables live in the schema "hangfire", installed by the hub under an advisory lock at start-up.
DROP INDEX ix_follow_ups_fire_at;
ALTER TABLE follow_ups DROP COLUMN trigger_pending;
CREATE INDEX ix_follow_ups_fire_at ON follow_ups (fire_at) WHERE state = 'scheduled';
