-- dialect: redshift
-- description: Taxi-fare model (Redshift ML): XGBoost regression on the z-scored features; every 5th trip held out
CREATE MODEL taxi_fare_model
FROM (
  SELECT trip_distance_z, passenger_count_z, payment_card, payment_cash, payment_mobile, pickup_hour, fare_amount
  FROM taxi_zscore
  WHERE trip_id % 5 <> 0
)
TARGET fare_amount
FUNCTION predict_fare
IAM_ROLE default
AUTO OFF
MODEL_TYPE XGBOOST
OBJECTIVE 'reg:squarederror'
PREPROCESSORS 'none'
HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '40', MAX_DEPTH '4')
SETTINGS (S3_BUCKET 'sqlrun-ml-artifacts', MAX_RUNTIME 1800)
