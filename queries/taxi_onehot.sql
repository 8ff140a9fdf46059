-- description: Taxi-fare features, step 2: one-hot encode the payment type
SELECT
  trip_id,
  pickup_hour,
  CAST(passenger_count AS DOUBLE) AS passenger_count,
  trip_distance,
  fare_amount,
  CASE WHEN payment_type = 'card' THEN 1 ELSE 0 END AS payment_card,
  CASE WHEN payment_type = 'cash' THEN 1 ELSE 0 END AS payment_cash,
  CASE WHEN payment_type = 'mobile' THEN 1 ELSE 0 END AS payment_mobile
FROM taxi_clean
