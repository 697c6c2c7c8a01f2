-- Pages benchmark data: :episodes episodes (one person each, ~10% released twice) over the year before :today and
-- the four weeks after it, half to each Northamptonshire delivery unit (N56NNE → provider EXS2SN, N56WNE →
-- EXS2SW), 93% referred, the referral states and engagement of a live service. Deterministic (setseed).
-- Written by SQL for speed: the pages read what the services would have written (columns as the intake fills them).
SELECT setseed(0.1111);

CREATE TEMP TABLE bench AS
SELECT g,
       md5('person' || (g / 10 * 9 + g % 10 % 9))::uuid AS person_id,   -- every tenth episode shares its person with the one before
       (:'today'::date - 365 + floor(393 * random())::int) AS release_date,
       random() AS r_pdu, random() AS r_state, random() AS r_engage, random() AS r_day
  FROM generate_series(0, :episodes - 1) AS g;

INSERT INTO people (id, noms_number, crn, nhs_number, given_name, family_name, date_of_birth, gender, created_at, updated_at)
SELECT DISTINCT ON (person_id) person_id,
       chr(65 + (g / 10000) % 26) || lpad((g % 10000)::text, 4, '0') || chr(65 + (g / 260000) % 26) || chr(66 + (g / 10000) % 20),
       'B' || lpad(g::text, 6, '0'), NULL, 'Given' || g, 'Family' || g, date '1970-01-01' + g % 12000, 'male', now(), now()
  FROM bench ORDER BY person_id, g;

INSERT INTO episodes (id, person_id, noms_number, prison_code, release_date, release_date_source, release_type, movement_reason_unknown,
                      destination_postcode, no_fixed_abode, local_authority_code, provider_ods, need_known, substances, substance_group,
                      in_treatment_in_custody, consent_to_share, prison_team_email, probation_practitioner_name, probation_practitioner_email,
                      pdu_code, status, engaged_on, exclusion_reason, exclusion_date, created_at, updated_at, version)
SELECT md5('episode' || b.g)::uuid, b.person_id, p.noms_number, (ARRAY['FWI','ONI','RHI','WDI','PBI','LTI','GTI','BNI','WSI'])[1 + b.g % 9],
       b.release_date, CASE WHEN b.release_date <= :'today'::date THEN 'released-notification' ELSE 'planned-notification' END, 'licence', false,
       CASE WHEN b.r_pdu < 0.5 THEN 'NN17 1AA' ELSE 'NN1 1AA' END, false,
       CASE WHEN b.r_pdu < 0.5 THEN 'E06000061' ELSE 'E06000062' END, CASE WHEN b.r_pdu < 0.5 THEN 'EXS2SN' ELSE 'EXS2SW' END,
       true, '{opiates,crack}', 'opiate', true, b.r_state < 0.93, 'healthcare@example.nhs.uk', 'Jo Smith', 'jo.smith@example.justice.gov.uk',
       CASE WHEN b.r_pdu < 0.5 THEN 'N56NNE' ELSE 'N56WNE' END,
       CASE WHEN b.r_state >= 0.93 OR e.engaged_on IS NULL THEN 'open' ELSE 'engaged' END,
       CASE WHEN b.r_state < 0.93 THEN e.engaged_on END, NULL, NULL, now(), now(), 1
  FROM bench b JOIN people p ON p.id = b.person_id
  CROSS JOIN LATERAL (SELECT CASE WHEN b.r_engage < 0.55 AND b.release_date + floor(21 * b.r_day)::int <= :'today'::date
                                  THEN b.release_date + floor(21 * b.r_day)::int END AS engaged_on) e;

INSERT INTO referrals (id, episode_id, provider_ods, requester_prison_code, task_status, version, created_at, updated_at)
SELECT md5('referral' || b.g)::uuid, md5('episode' || b.g)::uuid, CASE WHEN b.r_pdu < 0.5 THEN 'EXS2SN' ELSE 'EXS2SW' END,
       (ARRAY['FWI','ONI','RHI','WDI','PBI','LTI','GTI','BNI','WSI'])[1 + b.g % 9],
       CASE WHEN ep.engaged_on IS NOT NULL THEN 'in-progress'
            WHEN b.r_state < 0.03 THEN 'rejected'
            WHEN b.r_state < 0.75 AND b.release_date <= :'today'::date THEN 'accepted'
            WHEN b.release_date + 21 < :'today'::date THEN 'failed'
            ELSE 'requested' END, 1, now(), now()
  FROM bench b JOIN episodes ep ON ep.id = md5('episode' || b.g)::uuid
 WHERE b.r_state < 0.93;

VACUUM ANALYZE people;
VACUUM ANALYZE episodes;
VACUUM ANALYZE referrals;
