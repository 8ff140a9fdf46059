"""Redshift's CREATE MODEL as a typed, validated spec.

sqlglot parses CREATE MODEL as an opaque Command, so the clauses are read here from
sqlglot's Redshift tokens; the training query inside `FROM (...)` is kept as text with its
original line and column, and compiled like any catalog query. Validation follows
Redshift ML's rules (CREATE MODEL reference), each error naming file:line:col.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlglot.dialects.redshift import Redshift
from sqlglot.errors import TokenError
from sqlglot.tokens import Token, TokenType

from sqlrun.engine.catalog import Query
from sqlrun.engine.models.rules import broken_rule
from sqlrun.engine.models.tokens import TokenReader
from sqlrun.errors import CompileError

MODEL_TYPES = ("XGBOOST", "LINEAR_LEARNER", "KMEANS", "MLP", "FORECAST")
PROBLEM_TYPES = ("REGRESSION", "BINARY_CLASSIFICATION", "MULTICLASS_CLASSIFICATION")
SETTINGS = {
    "S3_BUCKET", "TAGS", "KMS_KEY_ID", "S3_GARBAGE_COLLECT", "MAX_CELLS", "MAX_RUNTIME",
    "HORIZON", "FREQUENCY", "PERCENTILES", "MAX_BATCH_ROWS",
}
INT_SETTINGS = {"MAX_CELLS", "MAX_RUNTIME", "HORIZON", "MAX_BATCH_ROWS"}
CLAUSES = (
    "TARGET", "FUNCTION", "RETURNS", "SAGEMAKER", "IAM_ROLE", "AUTO", "MODEL_TYPE", "PROBLEM_TYPE",
    "OBJECTIVE", "PREPROCESSORS", "HYPERPARAMETERS", "SETTINGS",
)
_IAM_ARN = re.compile(r"^arn:aws[\w-]*:iam::\d{12}:role/[\w+=,.@/-]+$")


@dataclass(frozen=True)
class ModelSpec:
    """One CREATE MODEL statement, validated. Option values keep Redshift's spelling."""

    name: str
    function: str | None = None  # None: a FORECAST model (read with SELECT FORECAST(model))
    iam_role: str | None = None  # "default" or an IAM role ARN
    settings: tuple[tuple[str, str], ...] = ()  # (KEY, value), keys upper-case
    training_sql: str = ""  # the query text, blank-padded so lines and columns match the file
    source_table: str | None = None  # FROM table_name (training_sql then selects it)
    byom_source: str | None = None  # FROM 'job_name' | 's3_path' (bring your own model)
    has_from: bool = True
    target: str | None = None  # folded like Redshift folds an unquoted name
    arg_types: tuple[str, ...] = ()
    returns: str | None = None
    auto: bool = True
    model_type: str | None = None
    problem_type: str | None = None
    objective: str | None = None
    preprocessors: str | None = None
    hyperparameters: tuple[tuple[str, str], ...] = ()  # DEFAULT EXCEPT (KEY 'value', ...)
    has_hyperparameters: bool = False  # HYPERPARAMETERS DEFAULT [EXCEPT (...)] given
    sagemaker: str | None = None  # 'endpoint_name'[:'model_name'] as written, quotes and all
    clauses: tuple[str, ...] = ()  # the clauses as written, in order
    statement: tuple[int, int] = (0, 0)  # [start, end) of the statement in the file, no final ';'
    from_span: tuple[int, int] | None = None  # [start, end) of the table name or the query in FROM (...)

    def setting(self, key: str, default: str | None = None) -> str | None:
        return dict(self.settings).get(key.upper(), default)

    def hyperparameter(self, key: str, default: str | None = None) -> str | None:
        return dict(self.hyperparameters).get(key.upper(), default)

    @property
    def training_query(self) -> str:
        return self.training_sql.strip()

    @property
    def form(self) -> str:
        """AUTO_ON, AUTO_OFF (XGBoost), KMEANS, FORECAST, BYOM_LOCAL or BYOM_REMOTE."""
        if self.sagemaker is not None:
            return "BYOM_REMOTE"
        if self.byom_source is not None:
            return "BYOM_LOCAL"
        if self.model_type in ("KMEANS", "FORECAST"):
            return self.model_type
        return "AUTO_ON" if self.auto else "AUTO_OFF"


def parse_model(query: Query) -> ModelSpec:
    """The CREATE MODEL statement in `query` as a validated ModelSpec, or a CompileError."""
    try:
        tokens = Redshift().tokenize(query.sql)
    except TokenError as exc:
        raise CompileError(f"{query.path}: cannot tokenize CREATE MODEL: {exc}") from None
    while tokens and tokens[-1].token_type == TokenType.SEMICOLON:
        tokens.pop()
    r = TokenReader(query, tokens)
    r.expect("CREATE")
    r.expect("MODEL")
    fields: dict[str, object] = {"name": _name(r, "the model name")}
    fields.update(_source(r, query))
    seen: dict[str, Token] = {}
    while r.peek() is not None:
        token = r.peek()
        clause = token.text.upper()
        if clause not in CLAUSES or token.token_type == TokenType.STRING:
            raise r.error(f"unknown clause '{token.text}' (expected one of {', '.join(CLAUSES)})", token)
        if clause in seen:
            raise r.error(f"{clause} is given twice", token)
        seen[clause] = token
        r.i += 1
        fields.update(_clause(r, clause))
    fields["clauses"] = tuple(seen)
    fields["statement"] = (tokens[0].start, tokens[-1].end + 1)
    spec = ModelSpec(**fields)
    validate(spec, r, seen)
    return spec


def _name(r: TokenReader, what: str) -> str:
    parts = [r.word(what)]
    while r.peek() is not None and r.peek().token_type == TokenType.DOT:
        r.i += 1
        parts.append(r.word(what))
    return ".".join(parts)


def _source(r: TokenReader, query: Query) -> dict:
    if not r.keyword("FROM"):  # BYOM remote inference has no FROM
        return {"has_from": False}
    token = r.peek()
    if token is not None and token.token_type == TokenType.STRING:
        r.i += 1
        return {"byom_source": token.text, "from_span": (token.start, token.end + 1)}
    if token is None or token.token_type != TokenType.L_PAREN:
        table_token = token
        table = _name(r, "a table name or (query) after FROM")
        # Keep the table name where it was, so errors about it point into the file.
        offset = table_token.start
        line_start = query.sql.rfind("\n", 0, offset) + 1
        select = "SELECT * FROM "
        pad = offset - line_start - len(select)
        prefix = _blank(query.sql[:line_start]) + (" " * pad + select if pad >= 0 else select)
        return {"source_table": table, "training_sql": prefix + table,
                "from_span": (table_token.start, r.tokens[r.i - 1].end + 1)}
    open_token = r.next("(")
    depth = 1
    while depth:
        token = r.next("')' closing the training query")
        depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(token.token_type, 0)
    body = query.sql[open_token.end + 1 : token.start]
    if not body.strip():
        raise r.error("the training query in FROM (...) is empty", open_token)
    return {"training_sql": _blank(query.sql[: open_token.end + 1]) + body,
            "from_span": (open_token.end + 1, token.start)}


def _blank(text: str) -> str:
    """Text replaced by spaces, newlines kept: what follows keeps its line and column."""
    return re.sub(r"[^\n]", " ", text)


def _clause(r: TokenReader, clause: str) -> dict:
    if clause == "TARGET":
        token = r.next("the target column")
        named = token.token_type in (TokenType.STRING, TokenType.IDENTIFIER, TokenType.VAR)
        if not named and not token.text.isidentifier():
            raise r.error(f"expected the target column, found '{token.text}'", token)
        # Redshift folds an unquoted name to lower case; a "quoted" one keeps its case.
        return {"target": token.text if token.token_type == TokenType.IDENTIFIER else token.text.lower()}
    if clause == "FUNCTION":
        function = _name(r, "the function name")
        types: list[str] = []
        if r.keyword("("):
            while True:
                types.append(_type(r))
                if r.keyword(")"):
                    break
                r.expect(",", "',' or ')'")
        return {"function": function, "arg_types": tuple(types)}
    if clause == "RETURNS":
        return {"returns": _type(r)}
    if clause == "SAGEMAKER":
        endpoint = r.tokens[r.i] if r.i < len(r.tokens) else None
        r.string("the SageMaker endpoint")
        if r.keyword(":"):
            r.string("the model name after 'endpoint':")
        return {"sagemaker": r.query.sql[endpoint.start : r.tokens[r.i - 1].end + 1]}
    if clause == "IAM_ROLE":
        token = r.peek()
        if r.keyword("DEFAULT"):
            return {"iam_role": "default"}
        arn = r.string("DEFAULT or an IAM role ARN")
        if not _IAM_ARN.match(arn):
            raise r.error(f"IAM_ROLE '{arn}' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)", token)
        return {"iam_role": arn}
    if clause == "AUTO":
        token = r.peek()
        mode = r.keyword("ON", "OFF")
        if mode is None:
            raise r.error("AUTO takes ON or OFF", token)
        return {"auto": mode == "ON"}
    if clause in ("MODEL_TYPE", "PROBLEM_TYPE"):
        allowed = MODEL_TYPES if clause == "MODEL_TYPE" else PROBLEM_TYPES
        token = r.peek()
        parened = r.keyword("(")
        value = r.word(clause).upper()
        if parened:
            r.expect(")")
        if value not in allowed:
            raise r.error(f"{clause} '{value}' is not one of {', '.join(allowed)}", token)
        return {clause.lower(): value}
    if clause == "OBJECTIVE":
        parened = r.keyword("(")
        objective = r.string("the objective")
        if parened:
            r.expect(")")
        return {"objective": objective}
    if clause == "PREPROCESSORS":
        return {"preprocessors": r.string("the preprocessors (a JSON string)")}
    if clause == "HYPERPARAMETERS":
        r.expect("DEFAULT", "DEFAULT")
        pairs = _pairs(r, "HYPERPARAMETERS") if r.keyword("EXCEPT") else ()
        return {"hyperparameters": pairs, "has_hyperparameters": True}
    return {"settings": _pairs(r, "SETTINGS", settings=True)}


def _type(r: TokenReader) -> str:
    """A data type, possibly with arguments (DECIMAL(10, 2)) or two words (DOUBLE PRECISION)."""
    words = [r.word("a data type")]
    if r.keyword("PRECISION", "VARYING"):
        words.append(r.tokens[r.i - 1].text)
    text = " ".join(words).upper()
    if r.keyword("("):
        args = [r.value("a type argument")]
        while r.keyword(","):
            args.append(r.value("a type argument"))
        r.expect(")")
        text += f"({', '.join(args)})"
    return text


def _pairs(r: TokenReader, clause: str, settings: bool = False) -> tuple[tuple[str, str], ...]:
    r.expect("(", f"'(' after {clause}{'' if settings else ' DEFAULT EXCEPT'}")
    pairs: dict[str, str] = {}
    while True:
        token = r.peek()
        key = r.word(f"a {clause} key").upper()
        if key in pairs:
            raise r.error(f"{clause} key {key} is given twice", token)
        value_token = r.peek()
        value = r.value(f"a value for {key}")
        if not settings and value_token.token_type != TokenType.STRING:
            raise r.error(f"hyperparameter {key} takes a quoted value ({key} '{value}')", value_token)
        if settings and key not in SETTINGS:
            raise r.error(f"unknown setting {key} (known: {', '.join(sorted(SETTINGS))})", token)
        if settings and key in INT_SETTINGS and not value.isdigit():
            raise r.error(f"setting {key} takes a positive integer, not '{value}'", value_token)
        pairs[key] = value
        if r.keyword(")"):
            return tuple(pairs.items())
        r.expect(",", f"',' or ')' in {clause}")


def validate(spec: ModelSpec, r: TokenReader, seen: dict[str, Token]) -> None:
    """The first rule of the CREATE MODEL reference (rules.py) that the statement breaks, as an
    error at the clause it is about."""
    found = broken_rule(spec)
    if found is None:
        return
    rule, message = found
    token = seen.get(rule.clause or message.split()[0])  # the order rule names the misplaced clause first
    raise r.error(f"{message} (reference, {rule.where}: \"{rule.says}\")", token or r.tokens[0])
