-- 0003: the durable outbox of FHIR message pushes to providers (contract §5, issue #3). One row per referral
-- version; ids only, the message Bundle is built from the database when the row is sent.
CREATE TABLE provider_pushes (
    id uuid NOT NULL,
    referral_id uuid NOT NULL,
    referral_version integer NOT NULL,
    provider_ods text NOT NULL,
    state text NOT NULL,
    attempts integer NOT NULL,
    next_attempt_at timestamp with time zone NOT NULL,
    last_error text NULL,
    claim_token uuid NULL,
    claimed_until timestamp with time zone NULL,
    created_at timestamp with time zone NOT NULL,
    sent_at timestamp with time zone NULL,
    CONSTRAINT pk_provider_pushes PRIMARY KEY (id),
    CONSTRAINT fk_provider_pushes_referral_id FOREIGN KEY (referral_id) REFERENCES referrals (id) ON DELETE RESTRICT
);
-- A referral version is queued at most once, whatever the path or node.
CREATE UNIQUE INDEX ix_provider_pushes_referral_id_referral_version ON provider_pushes (referral_id, referral_version);
-- What the dispatchers poll: pending rows by due time (sent rows drop out of the index).
CREATE INDEX ix_provider_pushes_next_attempt_at ON provider_pushes (next_attempt_at) WHERE state = 'pending';
