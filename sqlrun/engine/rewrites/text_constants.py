"""Spark's FORMAT_STRING and SPLIT of constants, evaluated at compile time for Polars (which has
neither), a bare NULL in a text argument typed as text (Polars fails on a NULL of no type), and a
text literal compared with a DOUBLE read as a DOUBLE, as Spark casts it (Polars refuses the
comparison). Spark's TRIM/LTRIM/RTRIM (spaces, or the characters of a text literal) are spelled
with Polars' LTRIM/RTRIM of those characters (Polars has no TRIM; its LTRIM(x) strips all blanks).

- format_string: Java's Formatter for %s, %d, %x and %% fields (an index `%2$s`, a width, `-`
  to the left, `0` to pad a number with zeros); a NULL argument prints as 'null'. Anything else
  is left to the rules after (which refuse it), as is a call Spark fails on (too few arguments).
- split(text, regex[, limit]): Java's String.split as Spark calls it (limit <= 0: every piece,
  trailing empty ones kept; an empty regex: each character), for a regex of plain characters,
  escaped punctuation and character classes, each once or with `+`: those match as Python's
  re does, and never match an empty text.
"""

from __future__ import annotations

import re

from sqlglot import exp

from sqlrun.engine.rewrites.base import typed_nodes

COMPARISONS = (exp.EQ, exp.NEQ, exp.LT, exp.LTE, exp.GT, exp.GTE)
KINDS = (*COMPARISONS, exp.Trim, exp.Format, exp.RegexpSplit, exp.Left, exp.Right, exp.SplitPart, exp.StrPosition,
         exp.StartsWith, exp.EndsWith)
_FIELD = re.compile(r"%(?:(\d+)\$)?([-0]?)([1-9]\d*)?([sdx%])|%")
# one element: a plain character, an escaped punctuation mark or a class of plain characters
_ELEMENT = r"(?:[A-Za-z0-9 ,;:_#@!~&=<>'\"/-]|\\[.|()\[\]{}*+?^$\\]|\[\^?[A-Za-z0-9 ,;:_.-]+\])\+?"
_SAFE_REGEX = re.compile(f"(?:{_ELEMENT})*")
_TEXT_ARGS = {exp.Left: ("this",), exp.Right: ("this",), exp.SplitPart: ("this", "delimiter"),
              exp.StrPosition: ("this", "substr"), exp.StartsWith: ("this", "expression"),
              exp.EndsWith: ("this", "expression")}


def polars_text_constants(tree: exp.Expression, ctx) -> exp.Expression:
    _text_compared_with_double(tree, ctx)
    for node in list(tree.find_all(*KINDS[len(COMPARISONS):])):
        if isinstance(node, exp.Trim):
            spelled = _trim(node)
            if spelled is not None:
                node.replace(spelled)
        elif isinstance(node, exp.Format | exp.RegexpSplit):
            value = _format(node) if isinstance(node, exp.Format) else _split(node)
            if value is not None:
                if node is tree:
                    return value
                node.replace(value)
        else:
            for key in _TEXT_ARGS[type(node)]:
                if isinstance(node.args.get(key), exp.Null):
                    node.set(key, exp.cast(exp.Null(), "varchar"))
    return tree


def _text_compared_with_double(tree: exp.Expression, ctx) -> None:
    def text(node: exp.Expression) -> bool:
        return isinstance(node, exp.Literal) and node.is_string

    nodes = [n for n in tree.find_all(*COMPARISONS) if text(n.this) != text(n.expression)]
    if not nodes:
        return
    for node in typed_nodes(tree, ctx, COMPARISONS, lambda n: n in nodes, operands=("this", "expression")):
        literal, other = (node.this, node.expression) if text(node.this) else (node.expression, node.this)
        if other.type is not None and other.type.is_type(exp.DType.DOUBLE):
            literal.replace(exp.TryCast(this=literal.copy(), to=exp.DataType.build("double")))


def _trim(node: exp.Trim) -> exp.Expression | None:
    position, chars = (node.text("position") or "BOTH").upper(), node.args.get("expression")
    if node.args.get("collation") or (chars is not None and not node.args.get("position")):
        return None  # (trim(a, b) without FROM: its arguments' order is not decided here)
    if chars is None:
        chars = exp.Literal.string(" ")
    if not (isinstance(chars, exp.Literal) and chars.is_string and chars.this):
        return None
    text = node.this.copy()
    if isinstance(text, exp.Null):
        text = exp.cast(text, "varchar")
    if position in ("BOTH", "TRAILING"):
        text = exp.Anonymous(this="RTRIM", expressions=[text, chars.copy()])
    if position in ("BOTH", "LEADING"):
        text = exp.Anonymous(this="LTRIM", expressions=[text, chars.copy()])
    return exp.cast(text, "varchar")  # typed text for the rules after (CAST(LTRIM(s) AS INT))


def _constant(node: exp.Expression) -> tuple[str, object] | None:
    """('null'|'text'|'int'|'bool', value) of a literal; None for anything else."""
    if isinstance(node, exp.Null):
        return ("null", None)
    if isinstance(node, exp.Boolean):
        return ("bool", node.this)
    if isinstance(node, exp.Literal):
        if node.is_string:
            return ("text", node.this)
        return ("int", int(node.this)) if node.is_int else None
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and node.this.is_int:
        return ("int", -int(node.this.this))
    return None


def _format(node: exp.Format) -> exp.Expression | None:
    template, args = _constant(node.this), [_constant(a) for a in node.expressions]
    if template is None or template[0] not in ("text", "null") or any(a is None for a in args):
        return None
    if template[0] == "null":
        return exp.cast(exp.Null(), "varchar")
    out, ordinary, end = [], 0, 0
    for field in _FIELD.finditer(template[1]):
        out.append(template[1][end:field.start()])
        end = field.end()
        index, flag, width, conversion = field.groups()
        if conversion is None or (conversion == "%" and (index or width or flag)):
            return None
        if flag and not width or (flag == "0" and conversion == "s"):
            return None  # (Java fails on a flag without a width, and on %0s)
        if conversion == "%":
            out.append("%")
            continue
        if index is None:
            ordinary += 1
            position = ordinary
        else:
            position = int(index)
        if not 1 <= position <= len(args):
            return None
        text = _field(args[position - 1], conversion, flag == "0" and int(width))
        if text is None:
            return None
        width_ = int(width or 0)
        out.append(text.ljust(width_) if flag == "-" else text.rjust(width_))
    out.append(template[1][end:])
    return exp.Literal.string("".join(out))


def _field(arg: tuple[str, object], conversion: str, zeros: int) -> str | None:
    """The field's text; `zeros`: the width to pad a number to with zeros after its sign."""
    kind, value = arg
    if conversion == "s":
        return {"null": "null", "bool": "true" if value else "false"}.get(kind, str(value))
    if kind == "null":
        return None if zeros else "null"  # (not decided here: Java's %05d of null)
    if kind != "int":
        return None  # (Java fails on %d of text)
    if conversion == "x" and value < 0:
        return None  # (Java writes the two's complement of the argument's own width)
    return format(value, f"0{zeros}{conversion}" if zeros else conversion)


def _split(node: exp.RegexpSplit) -> exp.Expression | None:
    text, regex = _constant(node.this), _constant(node.expression)
    limit = _constant(node.args["limit"]) if node.args.get("limit") else ("int", -1)
    if None in (text, regex, limit) or limit[0] not in ("int", "null"):
        return None
    if "null" in (text[0], regex[0], limit[0]):
        return exp.cast(exp.Null(), "array<string>")
    if text[0] != "text" or regex[0] != "text" or not _SAFE_REGEX.fullmatch(regex[1]):
        return None
    try:
        re.compile(regex[1])
    except re.error:  # (a class like [9-1]: Spark fails too)
        return None
    pieces = _java_split(text[1], regex[1], limit[1])
    return exp.Array(expressions=[exp.Literal.string(p) for p in pieces])


def _java_split(text: str, regex: str, limit: int) -> list[str]:
    """UTF8String.split: an empty regex cuts characters (no trailing empty piece); else
    String.split(regex, limit), with a limit <= 0 read as -1."""
    if not regex and text:
        n = len(text) if limit <= 0 or limit > len(text) else limit
        return [*text[: n - 1], text[n - 1:]]
    if not text:
        return [""]
    pieces, start = [], 0
    for match in re.finditer(regex, text):  # (a safe regex compiles: checked by _split)
        if 0 < limit <= len(pieces) + 1:
            break
        pieces.append(text[start:match.start()])
        start = match.end()
    return [*pieces, text[start:]]
