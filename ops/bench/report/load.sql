-- Report benchmark data: 1,000,000 episodes of ~700,000 people, releases over 15 years (2011-12-01 … 2026-11-29),
-- a realistic mix for England: ~120 prisons (the 9 mapped ones and 111 others), ~150 local authorities, ~100
-- providers, four substance groups, ~75% engaging at some point (mostly within the window), ~3% back in custody, a few
-- deaths, removals and hospital releases, and episodes the measure must leave out (planned only, need unknown).
-- Deterministic (setseed), so every run measures the same data. :episodes and :people are psql variables.
SELECT setseed(0.2026);

INSERT INTO people (id, noms_number, given_name, family_name, date_of_birth, created_at, updated_at)
SELECT md5('person' || i)::uuid,
       chr(65 + (i / 10000) / 676 % 26) || lpad((i % 10000)::text, 4, '0') || chr(65 + (i / 10000) / 26 % 26) || chr(65 + (i / 10000) % 26),
       'Given' || i, 'Family' || i, date '1960-01-01' + (i % 15000), now(), now()
  FROM generate_series(0, :people - 1) AS i;

CREATE TEMP TABLE bench_codes AS
SELECT ARRAY['FWI', 'ONI', 'RHI', 'WDI', 'PBI', 'LTI', 'GTI', 'BNI', 'WSI']
           || ARRAY(SELECT 'Q' || chr(65 + n / 26) || chr(65 + n % 26) FROM generate_series(0, 110) n) AS prisons,
       ARRAY['E06000062', 'E06000061'] || ARRAY(SELECT 'E08' || lpad(n::text, 6, '0') FROM generate_series(1, 148) n) AS authorities;

INSERT INTO episodes (id, person_id, noms_number, prison_code, release_date, release_date_source, release_type, release_classification,
                      movement_reason_code, movement_reason_unknown, destination_postcode, no_fixed_abode, local_authority_code, provider_ods,
                      need_known, substances, substance_group, in_treatment_in_custody, ost_medication, ost_daily_dose_mg, naloxone_issued,
                      consent_to_share, prison_team_email, probation_practitioner_name, probation_practitioner_email, pdu_code, status,
                      engaged_on, exclusion_reason, exclusion_date, created_at, updated_at, version)
SELECT md5('episode' || g)::uuid, md5('person' || p)::uuid,
       chr(65 + (p / 10000) / 676 % 26) || lpad((p % 10000)::text, 4, '0') || chr(65 + (p / 10000) / 26 % 26) || chr(65 + (p / 10000) % 26),
       c.prisons[1 + floor(120 * power(r_prison, 1.4))::int],
       release_date, source, 'licence', classification,
       CASE classification WHEN 'died' THEN 'DEC' WHEN 'removed-from-uk' THEN 'DD' WHEN 'hospital' THEN 'HO' WHEN 'community-release' THEN 'CR' END,
       false, 'NN17 1AA', r_la < 0.02,
       CASE WHEN r_la >= 0.02 THEN c.authorities[la] END,
       CASE WHEN r_la < 0.02 THEN NULL WHEN la = 1 THEN 'EXS2SW' WHEN la = 2 THEN 'EXS2SN' ELSE 'PRV' || lpad((la * 2 / 3)::text, 3, '0') END,
       need_known,
       CASE WHEN NOT need_known THEN '{}'::text[] WHEN grp = 'opiate' THEN '{opiates,crack}' WHEN grp = 'non-opiate-only' THEN '{cocaine}'
            WHEN grp = 'non-opiate-and-alcohol' THEN '{cocaine,alcohol}' ELSE '{alcohol}' END,
       CASE WHEN need_known THEN grp END,
       r_other < 0.6, CASE WHEN grp = 'opiate' THEN 'methadone' END, CASE WHEN grp = 'opiate' THEN 60 END, r_other < 0.7,
       r_other < 0.93, 'healthcare@example.nhs.uk', 'Probation Practitioner', 'practitioner@example.justice.gov.uk', 'N56NNE', 'open',
       engaged_on,
       CASE WHEN excluded_on IS NOT NULL THEN exclusion END,
       excluded_on,
       now(), now(), 1
  FROM (
    SELECT g, p, release_date, source, classification, need_known, grp, la, r_prison, r_la, r_other,
           CASE WHEN r_engage < 0.75 AND release_date + floor(45 * power(r_day, 1.8))::int <= date '2026-11-30'
                THEN release_date + floor(45 * power(r_day, 1.8))::int END AS engaged_on,
           exclusion, exclusion_on,
           -- As the hub does: an exclusion dated on or after the first engagement is refused.
           CASE WHEN exclusion_on IS NOT NULL AND NOT (r_engage < 0.75 AND release_date + floor(45 * power(r_day, 1.8))::int <= exclusion_on)
                THEN exclusion_on END AS excluded_on
      FROM (
        SELECT g, p, release_date, source, classification, need_known, grp, la, r_prison, r_la, r_other, r_engage, r_day,
               CASE classification WHEN 'died' THEN 'died' WHEN 'removed-from-uk' THEN 'removedFromUk' WHEN 'hospital' THEN 'hospital'
                    ELSE CASE WHEN r_custody < 0.03 THEN 'returnedToCustody' END END AS exclusion,
               CASE WHEN classification IN ('died', 'removed-from-uk', 'hospital') THEN release_date
                    WHEN r_custody < 0.03 AND release_date + floor(r_custody * 1300)::int <= date '2026-11-30' THEN release_date + floor(r_custody * 1300)::int END AS exclusion_on
          FROM (
            SELECT g, g % :people AS p,
                   date '2011-12-01' + floor(random() * 5478)::int AS release_date,
                   CASE WHEN s < 0.03 THEN 'planned-notification' WHEN s < 0.45 THEN 'released-notification' ELSE 'hmpps-event' END AS source,
                   CASE WHEN s < 0.45 THEN NULL WHEN k < 0.002 THEN 'died' WHEN k < 0.007 THEN 'removed-from-uk' WHEN k < 0.010 THEN 'hospital'
                        ELSE 'community-release' END AS classification,
                   n >= 0.05 AS need_known,
                   CASE WHEN sg < 0.48 THEN 'opiate' WHEN sg < 0.63 THEN 'non-opiate-only' WHEN sg < 0.78 THEN 'non-opiate-and-alcohol' ELSE 'alcohol-only' END AS grp,
                   1 + floor(150 * power(random(), 1.3))::int AS la,
                   random() AS r_prison, random() AS r_la, random() AS r_other, random() AS r_engage, random() AS r_day, random() AS r_custody
              FROM (SELECT g, random() AS s, random() AS k, random() AS n, random() AS sg FROM generate_series(1, :episodes) AS g) seeds
          ) base
      ) with_exclusion
  ) final, bench_codes c;

VACUUM (ANALYZE) people;
VACUUM (ANALYZE) episodes;
