-- description: Churn predictions for the held-out users, scored in SQL by the trained churn_model
-- predict_churn_probabilities returns Redshift's {probabilities, labels}, sorted by probability: the
-- probability of churning is that of label '1'.
SELECT
  user_id,
  churned,
  predicted,
  CASE WHEN p.labels[0] = '1' THEN p.probabilities[0] ELSE p.probabilities[1] END AS churn_probability
FROM (
  SELECT
    user_id,
    churned,
    predict_churn(age, tenure_days, gender_f, gender_m, gender_unknown, country_kr, country_jp, country_us, country_de, country_br, plays_before, active_days_before, minutes_before, genres_before, days_since_last_play) AS predicted,
    predict_churn_probabilities(age, tenure_days, gender_f, gender_m, gender_unknown, country_kr, country_jp, country_us, country_de, country_br, plays_before, active_days_before, minutes_before, genres_before, days_since_last_play) AS p
  FROM churn_holdout
) AS scored
