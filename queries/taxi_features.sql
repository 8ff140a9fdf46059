-- description: Taxi-fare training features: drop missing values, one-hot encode, z-score
WITH clean AS (
  SELECT trip_id, pickup_at, passenger_count, trip_distance, payment_type, fare_amount
  FROM taxi_trips
  WHERE fare_amount IS NOT NULL
    AND trip_distance IS NOT NULL
    AND passenger_count IS NOT NULL
    AND fare_amount > 0
),
stats AS (
  SELECT
    AVG(trip_distance) AS distance_mean,
    STDDEV_SAMP(trip_distance) AS distance_std,
    AVG(CAST(passenger_count AS DOUBLE)) AS passengers_mean,
    STDDEV_SAMP(CAST(passenger_count AS DOUBLE)) AS passengers_std
  FROM clean
)
SELECT
  c.trip_id,
  c.fare_amount,
  (c.trip_distance - s.distance_mean) / s.distance_std AS trip_distance_z,
  (CAST(c.passenger_count AS DOUBLE) - s.passengers_mean) / s.passengers_std AS passenger_count_z,
  CASE WHEN c.payment_type = 'card' THEN 1 ELSE 0 END AS payment_card,
  CASE WHEN c.payment_type = 'cash' THEN 1 ELSE 0 END AS payment_cash,
  CASE WHEN c.payment_type = 'mobile' THEN 1 ELSE 0 END AS payment_mobile,
  hour(c.pickup_at) AS pickup_hour
FROM clean AS c
CROSS JOIN stats AS s
