"""Tests users write beside their queries (`NAME.test.yaml`), run on every engine: `sqlrun test`
and the pytest plugin (sqlrun/pytest_plugin.py)."""
