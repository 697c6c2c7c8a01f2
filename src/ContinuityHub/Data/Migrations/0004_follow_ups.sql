-- 0004: the follow-ups of contract §6 (issue #4). One row per episode and checkpoint: the truth of what is
-- planned and what happened. Quartz triggers (its own qrtz_* tables, provisioned by Quartz) only say when to
-- look at a row; ids only, no personal data.
CREATE TABLE follow_ups (
    id uuid NOT NULL,
    episode_id uuid NOT NULL,
    checkpoint text NOT NULL,
    due_at timestamp with time zone NOT NULL,
    fire_at timestamp with time zone NOT NULL,
    state text NOT NULL,
    outcome text NULL,
    attempts integer NOT NULL,
    last_error text NULL,
    ran_at timestamp with time zone NULL,
    plan_version integer NOT NULL,
    trigger_pending boolean NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_follow_ups PRIMARY KEY (id),
    CONSTRAINT fk_follow_ups_episode_id FOREIGN KEY (episode_id) REFERENCES episodes (id) ON DELETE RESTRICT
);
-- One follow-up per checkpoint of an episode, whatever path or node planned it.
CREATE UNIQUE INDEX ix_follow_ups_episode_id_checkpoint ON follow_ups (episode_id, checkpoint);
-- Open follow-ups by due time: the overdue health check, the repair pass and GET /api/v1/followups?status=due.
CREATE INDEX ix_follow_ups_due_at ON follow_ups (due_at) WHERE state = 'scheduled';
-- Rows whose Quartz trigger must still be created, moved or removed (the trigger synchroniser's queue).
CREATE INDEX ix_follow_ups_trigger_pending ON follow_ups (trigger_pending) WHERE trigger_pending;
-- Recent outcomes for GET /api/v1/followups?status=done|failed.
CREATE INDEX ix_follow_ups_updated_at ON follow_ups (updated_at);
