-- 0005: the durable outbox of emails sent through GOV.UK Notify (contract §6, issue #4 item 4). One row per
-- reference (Notify's idempotency key); the personalisation holds identifiers and dates only.
CREATE TABLE notification_outbox (
    id uuid NOT NULL,
    reference text NOT NULL,
    template_key text NOT NULL,
    recipient_role text NOT NULL,
    email_address text NULL,
    episode_id uuid NOT NULL,
    personalisation jsonb NOT NULL,
    state text NOT NULL,
    attempts integer NOT NULL,
    next_attempt_at timestamp with time zone NOT NULL,
    last_error text NULL,
    claim_token uuid NULL,
    claimed_until timestamp with time zone NULL,
    in_flight_since timestamp with time zone NULL,
    notify_notification_id uuid NULL,
    created_at timestamp with time zone NOT NULL,
    sent_at timestamp with time zone NULL,
    CONSTRAINT pk_notification_outbox PRIMARY KEY (id),
    CONSTRAINT fk_notification_outbox_episode_id FOREIGN KEY (episode_id) REFERENCES episodes (id) ON DELETE RESTRICT
);
-- A reference is queued at most once, whatever the path or node (the outbox checks first; this is the backstop).
CREATE UNIQUE INDEX ix_notification_outbox_reference ON notification_outbox (reference);
-- The listing by episode (and the scope join through it).
CREATE INDEX ix_notification_outbox_episode_id ON notification_outbox (episode_id);
-- What the dispatchers poll: pending rows by due time (settled rows drop out of the index).
CREATE INDEX ix_notification_outbox_next_attempt_at ON notification_outbox (next_attempt_at) WHERE state = 'pending';
