"""In-database ML: Redshift's CREATE MODEL, trained locally or on Redshift, scored as SQL."""
