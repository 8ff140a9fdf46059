-- description: Churn features of the held-out users (every 5th), for evaluating churn_model
SELECT user_id, age, tenure_days, gender_f, gender_m, gender_unknown, country_kr, country_jp, country_us, country_de, country_br, plays_before, active_days_before, minutes_before, genres_before, days_since_last_play, churned
FROM churn_training
WHERE user_id % 5 = 0
