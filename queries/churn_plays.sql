-- description: Churn features, step 1 (clean): plays of 30 s or more by a known user, by day
-- materialize: parquet
-- partition_by: ds
SELECT user_id, track_id, ds, ms_played
FROM play_logs
WHERE user_id IS NOT NULL
  AND track_id IS NOT NULL
  AND ms_played >= 30000
