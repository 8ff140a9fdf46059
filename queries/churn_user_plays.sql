-- description: Churn features, step 2 (join): every user with their plays and each track's genre
-- Users with no plays stay in (one row with NULL play columns): they are churn cases too.
SELECT
  u.user_id,
  u.birth_year,
  u.gender,
  u.country,
  u.signup_date,
  p.ds,
  p.ms_played,
  t.genre
FROM users AS u
LEFT JOIN churn_plays AS p ON p.user_id = u.user_id
LEFT JOIN tracks AS t ON t.track_id = p.track_id
