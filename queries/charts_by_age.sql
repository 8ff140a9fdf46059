-- description: Top tracks per age group for one day of plays (the daily "charts by age" job)
-- param ds: date = 2025-08-03
-- param top_n: int = 10
-- chart: bar x=title y=plays group=age_group title="Top tracks by age group: plays in one day" xlabel="Track" ylabel="Plays (30 s or more)"
WITH plays AS (
  SELECT
    p.user_id,
    p.track_id,
    CASE
      WHEN year(p.ds) - u.birth_year < 20 THEN '10s'
      WHEN year(p.ds) - u.birth_year < 30 THEN '20s'
      WHEN year(p.ds) - u.birth_year < 40 THEN '30s'
      WHEN year(p.ds) - u.birth_year < 50 THEN '40s'
      ELSE '50+'
    END AS age_group
  FROM play_logs AS p
  JOIN users AS u ON p.user_id = u.user_id
  WHERE p.ds = :ds AND p.ms_played >= 30000
),
counts AS (
  SELECT age_group, track_id, COUNT(*) AS plays, COUNT(DISTINCT user_id) AS listeners
  FROM plays
  GROUP BY age_group, track_id
),
ranked AS (
  SELECT
    age_group, track_id, plays, listeners,
    ROW_NUMBER() OVER (PARTITION BY age_group ORDER BY plays DESC, listeners DESC, track_id) AS chart_rank
  FROM counts
)
SELECT r.age_group, r.chart_rank, t.title, t.artist, r.plays, r.listeners
FROM ranked AS r
JOIN tracks AS t ON r.track_id = t.track_id
WHERE r.chart_rank <= :top_n
ORDER BY r.age_group, r.chart_rank
