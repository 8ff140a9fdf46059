-- description: Churn features, step 3 (aggregate): each user's activity before and after the cutoff day
-- param cutoff: date = 2025-08-06
SELECT
  user_id,
  birth_year,
  gender,
  country,
  signup_date,
  COUNT(CASE WHEN ds < :cutoff THEN 1 END) AS plays_before,
  COUNT(DISTINCT CASE WHEN ds < :cutoff THEN ds END) AS active_days_before,
  CAST(COALESCE(SUM(CASE WHEN ds < :cutoff THEN ms_played END), 0) AS DOUBLE) / 60000 AS minutes_before,
  COUNT(DISTINCT CASE WHEN ds < :cutoff THEN genre END) AS genres_before,
  MAX(CASE WHEN ds < :cutoff THEN ds END) AS last_play_before,
  COUNT(CASE WHEN ds >= :cutoff THEN 1 END) AS plays_after
FROM churn_user_plays
GROUP BY user_id, birth_year, gender, country, signup_date
