-- 0010: writes across scopes (issue 12 item 1). A message that would change a record outside its sender's scope
-- without an agreeing identity is refused and listed here for ADMIN (ids and field names only, no personal data);
-- one that agrees moves the episode to the sender's prison or delivery unit, and the move is kept as its history.
CREATE TABLE identity_conflicts (
    id uuid NOT NULL,
    occurred_at timestamp with time zone NOT NULL,
    channel text NOT NULL,
    reason text NOT NULL,
    disagreeing_fields text NULL,
    person_id uuid NULL,
    episode_id uuid NULL,
    notification_id uuid NULL,
    event_id uuid NULL,
    actor_subject text NOT NULL,
    actor_roles text NOT NULL,
    correlation_id text NULL,
    CONSTRAINT pk_identity_conflicts PRIMARY KEY (id)
);
CREATE INDEX ix_identity_conflicts_occurred_at ON identity_conflicts (occurred_at);

CREATE TABLE episode_transfers (
    id uuid NOT NULL,
    episode_id uuid NOT NULL,
    kind text NOT NULL,
    from_code text NULL,
    to_code text NOT NULL,
    agreed_by text NOT NULL,
    notification_id uuid NOT NULL,
    actor_subject text NOT NULL,
    occurred_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_episode_transfers PRIMARY KEY (id),
    CONSTRAINT fk_episode_transfers_episode_id FOREIGN KEY (episode_id) REFERENCES episodes (id) ON DELETE RESTRICT
);
CREATE INDEX ix_episode_transfers_episode_id ON episode_transfers (episode_id);
