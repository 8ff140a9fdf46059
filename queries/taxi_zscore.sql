-- description: Taxi-fare features, step 3: z-score the numeric features (the training table)
WITH stats AS (
  SELECT
    AVG(trip_distance) AS distance_mean,
    STDDEV_SAMP(trip_distance) AS distance_std,
    AVG(passenger_count) AS passengers_mean,
    STDDEV_SAMP(passenger_count) AS passengers_std
  FROM taxi_onehot
)
SELECT
  t.trip_id,
  t.fare_amount,
  (t.trip_distance - s.distance_mean) / s.distance_std AS trip_distance_z,
  (t.passenger_count - s.passengers_mean) / s.passengers_std AS passenger_count_z,
  t.payment_card,
  t.payment_cash,
  t.payment_mobile,
  t.pickup_hour
FROM taxi_onehot AS t
CROSS JOIN stats AS s
