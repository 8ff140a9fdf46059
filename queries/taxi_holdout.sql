-- description: Taxi-fare features of the held-out trips (every 5th), for evaluating taxi_fare_model
SELECT trip_id, trip_distance_z, passenger_count_z, payment_card, payment_cash, payment_mobile, pickup_hour, fare_amount
FROM taxi_zscore
WHERE trip_id % 5 = 0
