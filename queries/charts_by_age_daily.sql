-- description: The daily "charts by age", kept day by day: a run adds its day, a backfill fills a range
-- materialize: parquet
-- incremental: ds
-- param ds: date = 2025-08-03
-- param top_n: int = 10
SELECT :ds AS ds, c.age_group, c.chart_rank, c.title, c.artist, c.plays, c.listeners
FROM charts_by_age AS c
