-- Catch-up benchmark data (ops/bench/catch-up/run.sh): :episodes open episodes, each released 8 days ago with a
-- treatment need, a referral waiting for its provider, and its §6 follow-ups as the planner leaves them: the
-- day-before and day-2 reminders done, the day-7 alert due at an instant spread over the last day (the outage).
-- The day-14 alert and the window close (still ahead) are left out: the sweep reads due rows through an index on
-- fire time, so rows ahead cost it nothing. Identifiers only; no personal data.
\set ON_ERROR_STOP on
BEGIN;
CREATE TEMP TABLE bench_ids ON COMMIT DROP AS
SELECT n,
       md5('person' || n)::uuid AS person_id,
       md5('episode' || n)::uuid AS episode_id,
       md5('referral' || n)::uuid AS referral_id,
       chr(65 + n / 260000 % 26) || lpad((n % 10000)::text, 4, '0') || chr(65 + n / 10000 % 26) || chr(65 + n / 676 % 26) AS noms
  FROM generate_series(0, :episodes - 1) AS n;

INSERT INTO people (id, noms_number, crn, created_at, updated_at)
SELECT person_id, noms, 'X' || lpad(n::text, 6, '0'), now() - interval '9 days', now() - interval '9 days' FROM bench_ids;

INSERT INTO episodes (id, person_id, noms_number, prison_code, release_date, release_date_source, release_type,
                      release_classification, movement_reason_unknown, no_fixed_abode, local_authority_code, provider_ods,
                      need_known, substances, substance_group, consent_to_share, prison_team_email,
                      probation_practitioner_email, pdu_code, status, created_at, updated_at, version)
SELECT episode_id, person_id, noms, 'ONI', (:'today'::date - 8), 'released-notification', 'licence',
       'community-release', false, false, 'E06000061', 'EXS2SN',
       true, ARRAY['opiates', 'crack'], 'opiate', true, 'healthcare.oni@example.nhs.uk',
       'practitioner' || n || '@example.justice.gov.uk', 'N56NNE', 'open', now() - interval '9 days', now() - interval '9 days', 1
  FROM bench_ids;

INSERT INTO referrals (id, episode_id, provider_ods, requester_prison_code, task_status, version, created_at, updated_at)
SELECT referral_id, episode_id, 'EXS2SN', 'ONI', 'requested', 1, now() - interval '9 days', now() - interval '9 days' FROM bench_ids;

INSERT INTO follow_ups (id, episode_id, checkpoint, due_at, fire_at, state, outcome, attempts, ran_at, plan_version,
                        created_at, updated_at)
SELECT md5('follow-up' || n || c.checkpoint)::uuid, episode_id, c.checkpoint, c.due_at, c.due_at, c.state,
       CASE WHEN c.state = 'done' THEN '2 emails queued' END, CASE WHEN c.state = 'done' THEN 1 ELSE 0 END,
       CASE WHEN c.state = 'done' THEN c.due_at END, 1, now() - interval '9 days', now() - interval '9 days'
  FROM bench_ids,
       LATERAL (VALUES
           ('day-before-release', now() - interval '9 days', 'done'),
           ('day-2-escalation', now() - interval '6 days', 'done'),
           -- The outage: due at an instant in the last 24 hours.
           ('day-7-alert', now() - interval '24 hours' * ((n * 7919) % 100000) / 100000.0 - interval '1 minute', 'scheduled')
       ) AS c(checkpoint, due_at, state);
COMMIT;
VACUUM ANALYZE people;
VACUUM ANALYZE episodes;
VACUUM ANALYZE referrals;
VACUUM ANALYZE follow_ups;
