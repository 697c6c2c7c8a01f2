-- 0008: the trigger synchroniser takes only rows due within its horizon (Hub:FollowUps:TriggerHorizon), so its
-- queue is indexed by fire time: each pass reads the rows it will take, not every marked row of the weeks ahead.
DROP INDEX ix_follow_ups_trigger_pending;
CREATE INDEX ix_follow_ups_fire_at ON follow_ups (fire_at) WHERE trigger_pending;
