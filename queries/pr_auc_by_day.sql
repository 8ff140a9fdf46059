-- description: The churn model's area under the precision-recall curve, day by day (every day pr_curve_daily has stored)
-- chart: line x=ds y=auc title="Churn model: area under the precision-recall curve by day" xlabel="Day" ylabel="PR AUC"
WITH points AS (
  SELECT
    ds, recall, precision,
    LAG(recall) OVER (PARTITION BY ds ORDER BY threshold DESC) AS prev_recall,
    LAG(precision) OVER (PARTITION BY ds ORDER BY threshold DESC) AS prev_precision
  FROM pr_curve_daily
  WHERE precision IS NOT NULL
)
SELECT
  ds,
  SUM((recall - prev_recall) * (precision + prev_precision) / 2) AS auc,
  COUNT(*) AS thresholds
FROM points
GROUP BY ds
ORDER BY ds
