-- description: Churn features, step 4 (encode): the training table, one row per user, label `churned`
-- materialize: parquet
-- param cutoff: date = 2025-08-06
-- The demo logs hold 5 days before the default cutoff and 2 after it: `churned` is 1 when a
-- user's daily plays after the cutoff fall below half their daily rate before it
-- (plays_after / 2 < 0.5 * plays_before / 5, i.e. 5 * plays_after < plays_before).
SELECT
  user_id,
  year(:cutoff) - birth_year AS age,
  datediff(:cutoff, signup_date) AS tenure_days,
  CASE WHEN gender = 'F' THEN 1 ELSE 0 END AS gender_f,
  CASE WHEN gender = 'M' THEN 1 ELSE 0 END AS gender_m,
  CASE WHEN gender IS NULL THEN 1 ELSE 0 END AS gender_unknown,
  CASE WHEN country = 'KR' THEN 1 ELSE 0 END AS country_kr,
  CASE WHEN country = 'JP' THEN 1 ELSE 0 END AS country_jp,
  CASE WHEN country = 'US' THEN 1 ELSE 0 END AS country_us,
  CASE WHEN country = 'DE' THEN 1 ELSE 0 END AS country_de,
  CASE WHEN country = 'BR' THEN 1 ELSE 0 END AS country_br,
  plays_before,
  active_days_before,
  minutes_before,
  genres_before,
  COALESCE(datediff(:cutoff, last_play_before), 99) AS days_since_last_play,
  CASE WHEN 5 * plays_after < plays_before OR plays_after = 0 THEN 1 ELSE 0 END AS churned
FROM churn_activity
