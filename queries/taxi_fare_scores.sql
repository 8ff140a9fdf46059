-- description: Fare predictions for the held-out trips, scored in SQL by the trained taxi_fare_model
SELECT trip_id, fare_amount, predict_fare(trip_distance_z, passenger_count_z, payment_card, payment_cash, payment_mobile, pickup_hour) AS predicted_fare
FROM taxi_holdout
