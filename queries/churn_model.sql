-- dialect: redshift
-- description: Churn model (Redshift ML, user guidance): an XGBoost binary classifier on the churn features; every 5th user held out
CREATE MODEL churn_model
FROM (
  SELECT age, tenure_days, gender_f, gender_m, gender_unknown, country_kr, country_jp, country_us, country_de, country_br, plays_before, active_days_before, minutes_before, genres_before, days_since_last_play, churned
  FROM churn_training
  WHERE user_id % 5 <> 0
)
TARGET churned
FUNCTION predict_churn
IAM_ROLE default
MODEL_TYPE XGBOOST
PROBLEM_TYPE BINARY_CLASSIFICATION
OBJECTIVE 'AUC'
SETTINGS (S3_BUCKET 'sqlrun-ml-artifacts', MAX_RUNTIME 1800)
