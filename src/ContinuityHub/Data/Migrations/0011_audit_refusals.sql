-- 0011: the audit trail records refused reads too (a 403 or 404 on a person's record), and ADMIN reads it by time.
ALTER TABLE audit_log ADD COLUMN refused boolean NOT NULL DEFAULT false;
CREATE INDEX ix_audit_log_occurred_at ON audit_log (occurred_at);
CREATE INDEX ix_audit_log_actor_subject ON audit_log (actor_subject);
