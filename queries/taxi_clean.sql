-- description: Taxi-fare features, step 1: drop trips with a missing or impossible value
-- materialize: parquet
SELECT
  trip_id,
  hour(pickup_at) AS pickup_hour,
  passenger_count,
  trip_distance,
  payment_type,
  fare_amount
FROM taxi_trips
WHERE fare_amount IS NOT NULL
  AND trip_distance IS NOT NULL
  AND passenger_count IS NOT NULL
  AND payment_type IS NOT NULL
  AND fare_amount > 0
