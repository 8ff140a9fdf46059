"""TPC-H for sqlrun: the 22 queries in Spark SQL (queries/), their project file and data."""
