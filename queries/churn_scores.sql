-- description: Churn predictions for the held-out users, scored in SQL by the trained churn_model
SELECT
  user_id,
  churned,
  predict_churn(age, tenure_days, gender_f, gender_m, gender_unknown, country_kr, country_jp, country_us, country_de, country_br, plays_before, active_days_before, minutes_before, genres_before, days_since_last_play) AS predicted,
  predict_churn_probabilities(age, tenure_days, gender_f, gender_m, gender_unknown, country_kr, country_jp, country_us, country_de, country_br, plays_before, active_days_before, minutes_before, genres_before, days_since_last_play) AS churn_probability
FROM churn_holdout
