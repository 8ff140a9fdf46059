-- description: The churn model's precision and recall by score threshold over one day's predictions, kept day by day
-- materialize: parquet
-- incremental: ds
-- param ds: date = 2025-08-07
-- chart: line x=threshold y=precision,recall title="Churn model on one day: precision and recall by score threshold" xlabel="Score threshold" ylabel="Share"
WITH scored AS (
  SELECT label, CAST(FLOOR(score * 20) AS INT) AS bucket FROM predictions WHERE ds = :ds
),
thresholds AS (
  SELECT DISTINCT bucket FROM scored
),
counts AS (
  SELECT
    t.bucket,
    SUM(CASE WHEN s.bucket >= t.bucket AND s.label = 1 THEN 1 ELSE 0 END) AS tp,
    SUM(CASE WHEN s.bucket >= t.bucket AND s.label = 0 THEN 1 ELSE 0 END) AS fp,
    SUM(CASE WHEN s.bucket < t.bucket AND s.label = 1 THEN 1 ELSE 0 END) AS fn
  FROM thresholds AS t
  CROSS JOIN scored AS s
  GROUP BY t.bucket
)
SELECT
  :ds AS ds,
  CAST(bucket AS DOUBLE) / 20 AS threshold,
  CAST(tp AS DOUBLE) / NULLIF(tp + fp, 0) AS precision,
  CAST(tp AS DOUBLE) / NULLIF(tp + fn, 0) AS recall
FROM counts
ORDER BY threshold
