-- 0006: the engagement report's covering index (Features/Measure/EngagementReportIndex.cs). Only episodes that
-- can be in the measure's cohort (a confirmed community release with a treatment need), by release date, with
-- every column the report reads, so a national report is an index-only scan of a narrow index.
CREATE INDEX ix_episodes_engagement_report ON episodes (release_date)
    INCLUDE (engaged_on, exclusion_reason, exclusion_date, prison_code, local_authority_code, provider_ods, substance_group)
    WHERE need_known AND cardinality(substances) > 0 AND release_date_source <> 'planned-notification'
      AND (release_classification IS NULL OR release_classification IN ('community-release', 'died', 'removed-from-uk', 'hospital'));
