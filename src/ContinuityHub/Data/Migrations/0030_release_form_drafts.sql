-- 0030: "Notify a release" forms in progress (web UI, issue 11). Answers stay in the database between steps, never in
-- URLs or cookies; a draft belongs to the person who started it and is emptied when sent, deleted a day after its last change.
CREATE TABLE release_form_drafts (
    id uuid NOT NULL,
    owner_subject text NOT NULL,
    notification_id uuid NOT NULL,
    answers jsonb NOT NULL,
    submitted_at timestamp with time zone NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_release_form_drafts PRIMARY KEY (id)
);
-- Expired drafts are swept by expiry time.
CREATE INDEX ix_release_form_drafts_expires_at ON release_form_drafts (expires_at);
