-- pgbench script: the database work the hub does for ONE HMPPS event about an existing episode (HmppsEventService
-- + EpisodeLedger + FollowUpPlanner), as a lean hand-written baseline writing the same rows:
--   1. the raw event stored and committed on its own (contract §4.2: stored before it is applied): INSERT hmpps_events;
--   2. BEGIN + per-person advisory lock + the stored event, the person, the episode, its referral and its
--      follow-ups as one round trip; then the episode, referral, follow-ups, audit entry and the event's outcome as
--      one multi-statement round trip; COMMIT.
-- Even n: prisoner.released (RELEASED, NCS) one day before the planned date: the date moves to today, the
-- referral gets a new version, the open follow-ups move a day. Odd n: prisoner.received (ADMISSION) in the window:
-- the episode is excluded, the referral cancelled, the open follow-ups cancelled.
-- Person n = :client_id * :block + :seq of load.sql's set 'pgb' (NOMS numbers from 'P'), so clients never meet.
\set seq :seq + 1
\set n :client_id * :block + :seq
\set l0 80 + :n / 6760000
\set l1 65 + (:n / 260000) % 26
\set l2 65 + (:n / 10000) % 26
\set d :n % 10000
\set kind :n % 2
INSERT INTO hmpps_events (id, attempts, content_hash, deduplication_key, event_type, message_id, noms_number, occurred_at, outcome, payload, received_at)
VALUES (md5('pgb-event' || :n || '-' || :run)::uuid, 0, upper(encode(sha256((:n || '-' || :run)::bytea), 'hex')),
        'message:' || md5('pgb-message' || :n || '-' || :run)::uuid || ':' || upper(encode(sha256((:n || '-' || :run)::bytea), 'hex')),
        CASE WHEN :kind = 0 THEN 'prison-offender-events.prisoner.released' ELSE 'prison-offender-events.prisoner.received' END,
        md5('pgb-message' || :n || '-' || :run)::uuid, chr(:l0) || lpad(:d::text, 4, '0') || chr(:l1) || chr(:l2), now(), 'received',
        ('{"eventType": "prison-offender-events.prisoner.' || CASE WHEN :kind = 0 THEN 'released' ELSE 'received' END || '", "additionalInformation": {"nomsNumber": "' || chr(:l0) || lpad(:d::text, 4, '0') || chr(:l1) || chr(:l2) || '", "reason": "' || CASE WHEN :kind = 0 THEN 'RELEASED' ELSE 'ADMISSION' END || '", "details": "Movement reason code NCS", "nomisMovementReasonCode": "NCS", "currentLocation": "OUTSIDE_PRISON", "prisonId": "ONI", "currentPrisonStatus": "NOT_UNDER_PRISON_CARE"}, "version": 1, "occurredAt": "' || now() || '", "publishedAt": "' || now() || '", "description": "A prisoner has been released from prison", "personReference": {"identifiers": [{"type": "NOMS", "value": "' || chr(:l0) || lpad(:d::text, 4, '0') || chr(:l1) || chr(:l2) || '"}]}}')::jsonb,
        now());
BEGIN \; SELECT pg_advisory_xact_lock(17224, hashtext(chr(:l0) || lpad(:d::text, 4, '0') || chr(:l1) || chr(:l2))) \;
SELECT h.* FROM hmpps_events AS h WHERE h.id = md5('pgb-event' || :n || '-' || :run)::uuid \;
SELECT p.* FROM people AS p WHERE p.noms_number = chr(:l0) || lpad(:d::text, 4, '0') || chr(:l1) || chr(:l2) \;
SELECT e.* FROM episodes AS e WHERE e.noms_number = chr(:l0) || lpad(:d::text, 4, '0') || chr(:l1) || chr(:l2) AND e.status IN ('open', 'engaged') \;
SELECT r.* FROM referrals AS r WHERE r.episode_id = md5('pgbepisode' || :n)::uuid \;
SELECT f.* FROM follow_ups AS f WHERE f.episode_id = md5('pgbepisode' || :n)::uuid;
\if :kind = 0
UPDATE episodes SET release_date = current_date, release_date_source = 'hmpps-event', release_classification = 'community-release', movement_reason_code = 'NCS', movement_reason_unknown = false, updated_at = now(), version = version + 1 WHERE id = md5('pgbepisode' || :n)::uuid \;
UPDATE referrals SET version = version + 1, updated_at = now() WHERE episode_id = md5('pgbepisode' || :n)::uuid \;
UPDATE follow_ups SET due_at = due_at - interval '1 day', fire_at = due_at - interval '1 day', attempts = 0, plan_version = plan_version + 1, updated_at = now() WHERE episode_id = md5('pgbepisode' || :n)::uuid AND state = 'scheduled' \;
INSERT INTO audit_log (action, actor_roles, actor_subject, correlation_id, occurred_at, refused, resource_id, resource_type) VALUES ('hmpps-event.release-confirmed', 'EVENT_FEED', 'dev-event_feed', md5(:n::text), now(), false, md5('pgbepisode' || :n)::uuid::text, 'Episode') \;
UPDATE hmpps_events SET outcome = 'release-confirmed', episode_id = md5('pgbepisode' || :n)::uuid WHERE id = md5('pgb-event' || :n || '-' || :run)::uuid;
\else
UPDATE episodes SET status = 'excluded', exclusion_reason = 'returnedToCustody', exclusion_date = current_date, updated_at = now(), version = version + 1 WHERE id = md5('pgbepisode' || :n)::uuid \;
UPDATE referrals SET task_status = 'cancelled', version = version + 1, updated_at = now() WHERE episode_id = md5('pgbepisode' || :n)::uuid \;
UPDATE follow_ups SET state = 'cancelled', outcome = 'excluded', plan_version = plan_version + 1, updated_at = now() WHERE episode_id = md5('pgbepisode' || :n)::uuid AND state = 'scheduled' \;
INSERT INTO audit_log (action, actor_roles, actor_subject, correlation_id, occurred_at, refused, resource_id, resource_type) VALUES ('hmpps-event.excluded-returned-to-custody', 'EVENT_FEED', 'dev-event_feed', md5(:n::text), now(), false, md5('pgbepisode' || :n)::uuid::text, 'Episode') \;
UPDATE hmpps_events SET outcome = 'excluded-returned-to-custody', episode_id = md5('pgbepisode' || :n)::uuid WHERE id = md5('pgb-event' || :n || '-' || :run)::uuid;
\endif
COMMIT;
