"""Deterministic demo data for the example catalog: play logs, users, tracks, predictions, taxi trips."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlrun.atomic import atomic_path

DAYS = 7
FIRST_DAY = date(2025, 8, 1)
GENRES = ["pop", "k-pop", "hip-hop", "rock", "ballad", "r&b", "indie", "jazz"]
COUNTRIES = ["KR", "JP", "US", "DE", "BR"]


def _write_parquet(table, path: Path) -> None:
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)


def generate(out_dir: str | Path, rows: int = 300_000, seed: int = 7) -> dict[str, int]:
    """Write the demo tables under out_dir; returns rows written per table."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.orc as orc

    out = Path(out_dir)
    rng = np.random.default_rng(seed)
    n_users = max(rows // 30, 50)
    n_tracks = max(rows // 100, 50)

    user_ids = np.arange(1, n_users + 1, dtype=np.int64)
    gender = rng.choice(np.array(["F", "M", None], dtype=object), n_users, p=[0.48, 0.48, 0.04])
    users = pa.table(
        {
            "user_id": user_ids,
            "birth_year": rng.integers(1955, 2012, n_users).astype(np.int32),
            "gender": pa.array(gender.tolist(), pa.string()),
            "country": pa.array(rng.choice(COUNTRIES, n_users).tolist(), pa.string()),
            "signup_date": pa.array(
                [FIRST_DAY - timedelta(days=int(d)) for d in rng.integers(1, 2000, n_users)], pa.date32()
            ),
        }
    )
    _write_parquet(users, out / "users.parquet")

    track_ids = np.arange(1, n_tracks + 1, dtype=np.int64)
    artists = rng.integers(1, max(n_tracks // 8, 2) + 1, n_tracks)
    tracks = pa.table(
        {
            "track_id": track_ids,
            "title": pa.array([f"Track {i:05d}" for i in track_ids], pa.string()),
            "artist": pa.array([f"Artist {a:04d}" for a in artists], pa.string()),
            "genre": pa.array(rng.choice(GENRES, n_tracks).tolist(), pa.string()),
            "duration_ms": rng.integers(90_000, 360_000, n_tracks).astype(np.int32),
        }
    )
    (out / "tracks").mkdir(parents=True, exist_ok=True)
    with atomic_path(out / "tracks" / "tracks.orc") as tmp:
        orc.write_table(tracks, tmp)

    # Zipf-like popularity, so charts have a clear head.
    popularity = 1.0 / np.arange(1, n_tracks + 1) ** 0.9
    popularity /= popularity.sum()
    per_day = rows // DAYS
    for day in range(DAYS):
        ds = FIRST_DAY + timedelta(days=day)
        n = per_day if day < DAYS - 1 else rows - per_day * (DAYS - 1)
        seconds = np.sort(rng.integers(0, 86_400, n))
        start = np.datetime64(ds.isoformat(), "s")
        plays = pa.table(
            {
                "user_id": rng.choice(user_ids, n),
                "track_id": rng.choice(track_ids, n, p=popularity),
                "played_at": pa.array(start + seconds.astype("timedelta64[s]"), pa.timestamp("us")),
                "ds": pa.array([ds] * n, pa.date32()),
                "ms_played": rng.integers(1_000, 360_000, n).astype(np.int32),
            }
        )
        _write_parquet(plays, out / "play_logs" / f"ds={ds.isoformat()}.parquet")

    n_pred = max(rows // 30, 100)
    label = rng.random(n_pred) < 0.3
    score = np.clip(rng.normal(np.where(label, 0.65, 0.35), 0.18), 0, 1).round(4)
    predictions = pa.table(
        {
            "customer_id": np.arange(1, n_pred + 1, dtype=np.int64),
            "label": label.astype(np.int32),
            "score": score,
            # The day each prediction was scored (the daily model-quality queries): the 7 demo days in turn.
            "ds": pa.array([FIRST_DAY + timedelta(days=int(i) % DAYS) for i in range(n_pred)], pa.date32()),
        }
    )
    _write_parquet(predictions, out / "predictions.parquet")

    n_taxi = max(rows // 10, 100)
    distance = rng.gamma(2.0, 1.8, n_taxi).round(2)
    passengers = rng.integers(1, 5, n_taxi).astype(float)
    fare = (3.0 + 2.5 * distance + rng.normal(0, 2, n_taxi)).round(2)
    for column in (distance, passengers, fare):
        column[rng.random(n_taxi) < 0.02] = np.nan
    pickup = np.datetime64(FIRST_DAY.isoformat(), "s")
    taxi = pa.table(
        {
            "trip_id": np.arange(1, n_taxi + 1, dtype=np.int64),
            "pickup_at": pa.array(
                pickup + rng.integers(0, DAYS * 86_400, n_taxi).astype("timedelta64[s]"), pa.timestamp("us")
            ),
            "passenger_count": pa.array(passengers, pa.int32(), from_pandas=True),
            "trip_distance": pa.array(distance, from_pandas=True),
            "payment_type": pa.array(rng.choice(["card", "cash", "mobile"], n_taxi).tolist(), pa.string()),
            "fare_amount": pa.array(fare, from_pandas=True),
        }
    )
    _write_parquet(taxi, out / "taxi_trips.parquet")
    return {"users": n_users, "tracks": n_tracks, "play_logs": rows, "predictions": n_pred, "taxi_trips": n_taxi}
