"""The one exception family sqlrun raises for user-facing problems."""


class SqlrunError(Exception):
    """A problem the user can fix; the CLI prints it as one line and exits 1."""


class ConfigError(SqlrunError):
    """sqlrun.toml is missing, malformed or inconsistent."""


class CatalogError(SqlrunError):
    """A query file, its headers or its parameters are wrong."""


class CompileError(SqlrunError):
    """SQL that cannot be translated faithfully for the target engine."""


class NotSupported(CompileError):
    """A construct or feature the target engine lacks."""


class EngineError(SqlrunError):
    """The engine is unavailable or failed while running a statement."""
