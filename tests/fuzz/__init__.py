"""A differential fuzzer: random typed tables and random queries, run on the source engine itself
and through sqlrun on the other engines; any difference is a bug (or must become a refusal).

tables.py writes the random tables, grammar.py builds queries, runner.py runs and classifies them,
shrink.py makes a failing query small, __main__.py is `make fuzz` (`python -m tests.fuzz --help`).
"""
