-- HMPPS events benchmark data (ops/bench/events/run.sh): :people people, each with one EXISTING episode that an
-- event will be about, as the intake leaves it (referral waiting for its provider, its §6 follow-ups planned).
-- Even n: a planned release for tomorrow; the benchmark sends prison-offender-events.prisoner.released (RELEASED,
-- movement reason NCS) occurring now, so the release is confirmed one day early: the date moves, the follow-ups
-- are re-planned and the referral gets a new version. Odd n: released 5 days ago (the window is running); the
-- benchmark sends prison-offender-events.prisoner.received (ADMISSION): the episode is excluded (returned to
-- custody), its open follow-ups cancelled and its referral cancelled. NOMS numbers start at :first_letter (the
-- hub's and pgbench's sets never meet). Identifiers only; no personal data.
\set ON_ERROR_STOP on
BEGIN;
CREATE TEMP TABLE bench_ids ON COMMIT DROP AS
SELECT n, n % 2 = 0 AS planned,
       md5(:'set' || 'person' || n)::uuid AS person_id,
       md5(:'set' || 'episode' || n)::uuid AS episode_id,
       md5(:'set' || 'referral' || n)::uuid AS referral_id,
       chr(:first_letter + n / 6760000) || lpad((n % 10000)::text, 4, '0') || chr(65 + n / 260000 % 26) || chr(65 + n / 10000 % 26) AS noms,
       CASE WHEN n % 2 = 0 THEN :'today'::date + 1 ELSE :'today'::date - 5 END AS release_date
  FROM generate_series(0, :people - 1) AS n;

INSERT INTO people (id, noms_number, crn, created_at, updated_at)
SELECT person_id, noms, 'X' || lpad((n % 1000000)::text, 6, '0'), now() - interval '20 days', now() - interval '20 days' FROM bench_ids;

INSERT INTO episodes (id, person_id, noms_number, prison_code, release_date, release_date_source, release_type,
                      release_classification, movement_reason_unknown, no_fixed_abode, destination_postcode, local_authority_code,
                      provider_ods, need_known, substances, substance_group, in_treatment_in_custody, consent_to_share,
                      prison_team_email, probation_practitioner_email, pdu_code, status, created_at, updated_at, version)
SELECT episode_id, person_id, noms, 'ONI', release_date,
       CASE WHEN planned THEN 'planned-notification' ELSE 'released-notification' END, 'licence',
       CASE WHEN planned THEN NULL ELSE 'community-release' END, false, false, 'NN17 1AA', 'E06000061',
       'EXS2SN', true, ARRAY['opiates', 'crack'], 'opiate', true, true,
       'healthcare.oni@example.nhs.uk', 'practitioner@example.justice.gov.uk', 'N56NNE', 'open',
       now() - interval '20 days', now() - interval '20 days', 2
  FROM bench_ids;

INSERT INTO referrals (id, episode_id, provider_ods, requester_prison_code, task_status, version, created_at, updated_at)
SELECT referral_id, episode_id, 'EXS2SN', 'ONI', 'requested', 1, now() - interval '20 days', now() - interval '20 days' FROM bench_ids;

-- The follow-ups as FollowUpPlanner plans them (FollowUpSchedule: 09:00 London on the day, the window close at the
-- start of day 22); those already due are done (the sweep ran them), so no follow-up falls due during the run.
INSERT INTO follow_ups (id, episode_id, checkpoint, due_at, fire_at, state, outcome, attempts, ran_at, plan_version,
                        created_at, updated_at)
SELECT md5(:'set' || 'follow-up' || n || c.checkpoint)::uuid, episode_id, c.checkpoint, c.due_at, c.due_at, c.state,
       CASE WHEN c.state = 'done' THEN '2 emails queued' END, CASE WHEN c.state = 'done' THEN 1 ELSE 0 END,
       CASE WHEN c.state = 'done' THEN c.due_at END, 1, now() - interval '20 days', now() - interval '20 days'
  FROM bench_ids,
       LATERAL (SELECT (release_date + d.days + d.at) AT TIME ZONE 'Europe/London' AS due_at, d.checkpoint,
                       CASE WHEN (release_date + d.days + d.at) AT TIME ZONE 'Europe/London' < now() THEN 'done' ELSE 'scheduled' END AS state
                  FROM (VALUES ('day-before-release', -1, time '09:00'), ('day-2-escalation', 2, time '09:00'),
                               ('day-7-alert', 7, time '09:00'), ('day-14-alert', 14, time '09:00'),
                               ('window-close', 22, time '00:00')) AS d(checkpoint, days, at)) AS c;
COMMIT;
VACUUM ANALYZE people;
VACUUM ANALYZE episodes;
VACUUM ANALYZE referrals;
VACUUM ANALYZE follow_ups;
