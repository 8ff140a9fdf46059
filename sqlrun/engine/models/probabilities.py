"""`<function>_probabilities` (`_prob` in Redshift's first texts) in Redshift's shape: a struct
{"probabilities": [...], "labels": [...]}, "always sorted by their probabilities in descending
order" (Redshift ML probability metrics). Labels are the TARGET's values as text, as Redshift's
SUPER holds them (booleans `t` and `f`, as the book's `predicted.labels[0] = 't'` shows); ties keep
the class order, so `labels[0]` is always what the FUNCTION predicts.

Redshift defines the function only for AUTO ON classification models: with -e redshift a call of
any other model's is refused at compile time. Locally every classifier has it (evaluate uses it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

if TYPE_CHECKING:
    from sqlrun.engine.models.spec import ModelSpec

SAYS = ("In Amazon Redshift ML, probability metrics are available when creating AUTO ON models with a problem"
        " type of either binary classification or multiclass classification.")
MAX_LEAF_NODES = 200_000  # margin nodes one multiclass leaf may repeat (it sorts K classes in SQL)


def redshift_refusal(spec: ModelSpec) -> str | None:
    """Why Redshift has no probability function for this model, or None (it may have one)."""
    objective = (spec.objective or "").lower()
    if spec.form != "AUTO_ON":
        why = "not AUTO ON"
    elif spec.problem_type == "REGRESSION" or objective == "mse":
        why = "a regression model"
    else:
        return None
    return (f"Redshift has no probability function for model {spec.name} ({why}): \"{SAYS}\""
            " (Redshift ML probability metrics)")


def label_text(label) -> str:
    if isinstance(label, bool):
        return "t" if label else "f"
    return str(label)


def value(model: dict, margins: list[exp.Expression]) -> dict:
    """The struct's leaves as functions building SQL (only the fields a query takes are built), from
    the model's raw scores (to_sql.compiled_margins; `model` is to_sql.summary's)."""
    labels = list(model["classes"]) + list(range(len(model["classes"]), len(margins)))
    texts = [exp.Literal.string(label_text(label)) for label in labels]
    if len(margins) == 1:
        return _binary(margins[0], texts)
    per_margin = model["nodes"] // len(margins) or 1
    return _multiclass(margins, texts, per_margin)


def _paren(e: exp.Expression) -> exp.Expression:
    return exp.Paren(this=e.copy())


def _sigmoid(x: exp.Expression) -> exp.Expression:
    one = exp.Literal.number("1.0")
    minus_x = exp.Neg(this=exp.Paren(this=x))
    return exp.Div(this=one, expression=exp.Paren(this=exp.Add(this=one.copy(), expression=exp.Exp(this=minus_x))))


def _binary(margin: exp.Expression, texts: list[exp.Expression]) -> dict:
    """P(top) = sigmoid(|m|), the other 1 - that; the top label is the second class when m > 0.
    A NULL margin (a linear model given a NULL) gives NULLs."""
    m = _paren(margin)

    def top(first: int, second: int) -> exp.Expression:
        return exp.Case(ifs=[exp.If(this=exp.GT(this=m.copy(), expression=exp.Literal.number(0)),
                                    true=texts[first].copy()),
                             exp.If(this=exp.LTE(this=m.copy(), expression=exp.Literal.number(0)),
                                    true=texts[second].copy())])

    return {
        "probabilities": [lambda: _sigmoid(exp.Abs(this=m.copy())),
                          lambda: _sigmoid(exp.Neg(this=exp.Abs(this=m.copy())))],
        "labels": [lambda: top(1, 0), lambda: top(0, 1)],
    }


def _multiclass(margins: list[exp.Expression], texts: list[exp.Expression], per_margin: int) -> dict:
    k = len(margins)

    def m(i: int) -> exp.Expression:
        return _paren(margins[i])

    def check(copies: int) -> None:
        if copies * per_margin > MAX_LEAF_NODES:
            raise ValueError(f"sorting {k} class probabilities in SQL repeats the model {copies} times:"
                             " take labels[0] / probabilities[0], or use a smaller model")

    def prob(i: int) -> exp.Expression:
        total = exp.Exp(this=m(0))
        for j in range(1, k):
            total = exp.Add(this=total, expression=exp.Exp(this=m(j)))
        return exp.Div(this=exp.Exp(this=m(i)), expression=exp.Paren(this=total))

    def before(j: int, i: int) -> exp.Expression:
        """Class j sorts before class i: more probable, or as probable and earlier."""
        return (exp.GTE if j < i else exp.GT)(this=m(j), expression=m(i))

    def rank(i: int) -> exp.Expression:
        terms = [exp.Case(ifs=[exp.If(this=before(j, i), true=exp.Literal.number(1))], default=exp.Literal.number(0))
                 for j in range(k) if j != i]
        total = terms[0]
        for term in terms[1:]:
            total = exp.Add(this=total, expression=term)
        return exp.Paren(this=total)

    def at(r: int, pick) -> exp.Expression:
        check(k * (2 * (k - 1) + (k + 1)))
        ifs = [exp.If(this=exp.EQ(this=rank(i), expression=exp.Literal.number(r)), true=pick(i)) for i in range(k)]
        return exp.Case(ifs=ifs)

    def first_label() -> exp.Expression:  # the first class no other sorts before (to_sql's argmax rule)
        check(k * k)
        ifs = []
        for i in range(k - 1):
            cond = exp.and_(*[exp.Not(this=exp.Paren(this=before(j, i))) for j in range(k) if j != i])
            ifs.append(exp.If(this=cond, true=texts[i].copy()))
        last = exp.Case(ifs=[exp.If(this=exp.Is(this=m(k - 1), expression=exp.Null()), true=exp.Null())],
                        default=texts[k - 1].copy())  # a NULL margin (a linear model given a NULL): NULL
        return exp.Case(ifs=ifs, default=last)

    def first_probability() -> exp.Expression:
        best = exp.Greatest(this=m(0), expressions=[m(j) for j in range(1, k)])
        total = exp.Exp(this=m(0))
        for j in range(1, k):
            total = exp.Add(this=total, expression=exp.Exp(this=m(j)))
        return exp.Div(this=exp.Exp(this=best), expression=exp.Paren(this=total))

    return {
        "probabilities": [first_probability] + [lambda r=r: at(r, prob) for r in range(1, k)],
        "labels": [first_label] + [lambda r=r: at(r, lambda i: texts[i].copy()) for r in range(1, k)],
    }
