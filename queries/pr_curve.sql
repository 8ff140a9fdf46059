-- description: Precision and recall of the churn model at each score threshold
-- chart: line x=threshold y=precision,recall title="Churn model: precision and recall by score threshold" xlabel="Score threshold (customers at or above it are flagged)" ylabel="Share"
WITH scored AS (
  SELECT label, CAST(FLOOR(score * 20) AS INT) AS bucket FROM predictions
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
  CAST(bucket AS DOUBLE) / 20 AS threshold,
  tp, fp, fn,
  CAST(tp AS DOUBLE) / NULLIF(tp + fp, 0) AS precision,
  CAST(tp AS DOUBLE) / NULLIF(tp + fn, 0) AS recall
FROM counts
ORDER BY threshold
