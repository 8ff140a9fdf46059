"""A trained model as one SQL expression over the function's arguments.

Trees become nested CASE expressions summed with the base margin, linear models plain
arithmetic, k-means the nearest centroid. Only portable syntax nodes are built (CASE, CAST
to DOUBLE, comparisons, + - * /, EXP); the target engine's rewrites and generator run after.

XGBoost compares float32 feature values, `float32(x) < t`. For a double x that is the same
as comparing x with the midpoint between t and the float32 below it (`<=` when a value on
the midpoint rounds down, to the even neighbour), so the SQL keeps doubles and still takes
every branch booster.predict takes.
"""

from __future__ import annotations

import math
import struct

from sqlglot import exp

MAX_NODES = 20_000  # beyond this the SQL gets too big for engines' parsers; retrain smaller


def _number(value: float) -> exp.Expression:
    """A double literal in every engine (the exponent makes DuckDB and Spark read a DOUBLE)."""
    text = f"{abs(value):.17e}"
    literal = exp.Literal.number(text)
    return exp.Neg(this=literal) if value < 0 or (value == 0 and math.copysign(1, value) < 0) else literal


def _double(arg: exp.Expression) -> exp.Expression:
    return exp.Cast(this=arg.copy(), to=exp.DataType.build("DOUBLE"))


def _f32(value: float) -> float:
    return struct.unpack("f", struct.pack("f", value))[0]


def _below32(value: float) -> tuple[float, bool]:
    """The float32 just below `value`, and whether its mantissa is even."""
    bits = struct.unpack("I", struct.pack("f", value))[0]
    bits = bits - 1 if value > 0 else (bits + 1 if value < 0 else 0x80000001)
    return struct.unpack("f", struct.pack("I", bits))[0], bits % 2 == 0


def goes_left(arg: exp.Expression, threshold: float) -> tuple[exp.Expression, exp.Expression]:
    """(x goes left, x goes right) as SQL predicates equal to float32(x) < threshold."""
    t = _f32(threshold)
    below, even = _below32(t)
    mid = (below + t) / 2  # exact in double
    x = _double(arg)
    if even:
        return exp.LTE(this=x, expression=_number(mid)), exp.GT(this=x.copy(), expression=_number(mid))
    return exp.LT(this=x, expression=_number(mid)), exp.GTE(this=x.copy(), expression=_number(mid))


def tree_sql(tree: dict, args: list[exp.Expression]) -> exp.Expression:
    def node(i: int) -> exp.Expression:
        left, right = tree["left"][i], tree["right"][i]
        if left == -1:
            return _number(_f32(tree["threshold"][i]))
        yes, no = goes_left(args[tree["feature"][i]], tree["threshold"][i])
        # NULL (XGBoost's missing value) falls through to ELSE: the default direction.
        if tree["default_left"][i]:
            return exp.Case(ifs=[exp.If(this=no, true=node(right))], default=node(left))
        return exp.Case(ifs=[exp.If(this=yes, true=node(left))], default=node(right))

    return node(0)


def _sum(terms: list[exp.Expression]) -> exp.Expression:
    total = terms[0]
    for term in terms[1:]:
        total = exp.Add(this=total, expression=term)
    return total


def _sigmoid(margin: exp.Expression) -> exp.Expression:
    return exp.Div(
        this=_number(1.0),
        expression=exp.Paren(
            this=exp.Add(this=_number(1.0), expression=exp.Exp(this=exp.Neg(this=exp.Paren(this=margin))))
        ),
    )


def _label(value) -> exp.Expression:
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, (int, float)):
        return exp.Literal.number(value) if value >= 0 else exp.Neg(this=exp.Literal.number(-value))
    return exp.Literal.string(str(value))


def _argbest(scores: list[exp.Expression], labels: list, op=exp.GTE) -> exp.Expression:
    """The label of the first best score (numpy's argmax/argmin tie rule)."""
    ifs = []
    for i in range(len(scores) - 1):
        cond = _and([op(this=exp.Paren(this=scores[i].copy()), expression=exp.Paren(this=scores[j].copy()))
                     for j in range(i + 1, len(scores))])
        ifs.append(exp.If(this=cond, true=_label(labels[i])))
    return exp.Case(ifs=ifs, default=_label(labels[-1]))


def _and(conds: list[exp.Expression]) -> exp.Expression:
    result = conds[0]
    for cond in conds[1:]:
        result = exp.And(this=result, expression=cond)
    return result


def _softmax_best(margins: list[exp.Expression]) -> exp.Expression:
    """The winning class's softmax probability: exp(max m) / sum(exp(m_i)) (each margin twice)."""
    best = exp.Greatest(this=margins[0].copy(), expressions=[m.copy() for m in margins[1:]])
    terms = [exp.Exp(this=m) for m in margins]
    return exp.Div(this=exp.Exp(this=best), expression=exp.Paren(this=_sum(terms)))


def margins(model: dict, args: list[exp.Expression]) -> list[exp.Expression]:
    """One raw score per output (class), before the link function."""
    if model["kind"] == "trees":
        nodes = sum(len(t["left"]) for t in model["trees"])
        if nodes > MAX_NODES:
            raise ValueError(f"{nodes} tree nodes (limit {MAX_NODES}): lower NUM_ROUND or MAX_DEPTH")
        return [
            _sum([_number(model["base_margin"][g])]
                 + [exp.Paren(this=tree_sql(t, args)) for t in model["trees"] if t["group"] == g])
            for g in range(model["groups"])
        ]
    if model["kind"] == "linear":
        return [
            _sum([_number(b)] + [exp.Mul(this=_number(w), expression=_double(a)) for w, a in zip(row, args)])
            for row, b in zip(model["coef"], model["intercept"])
        ]
    raise ValueError(f"no margins for a {model['kind']} model")


def predict_sql(model: dict, args: list[exp.Expression]) -> exp.Expression:
    """What the FUNCTION returns: the class label, the predicted value, or the cluster id."""
    if model["kind"] == "trees":
        return _predict(model, args)
    # Linear models and k-means have no missing-value branch: a NULL feature gives NULL.
    any_null = _or([exp.Is(this=a.copy(), expression=exp.Null()) for a in args])
    return exp.Case(ifs=[exp.If(this=any_null, true=exp.Null())], default=_predict(model, args))


def _or(conds: list[exp.Expression]) -> exp.Expression:
    result = conds[0]
    for cond in conds[1:]:
        result = exp.Or(this=result, expression=cond)
    return result


def _predict(model: dict, args: list[exp.Expression]) -> exp.Expression:
    if model["kind"] == "kmeans":
        distances = [
            _sum([exp.Mul(this=exp.Paren(this=exp.Sub(this=_double(a), expression=_number(c))),
                          expression=exp.Paren(this=exp.Sub(this=_double(a), expression=_number(c))))
                  for a, c in zip(args, centroid)])
            for centroid in model["centroids"]
        ]
        return _argbest(distances, list(range(len(distances))), exp.LTE)
    scores = margins(model, args)
    objective = model.get("objective", "")
    if model["problem_type"] == "REGRESSION":
        if objective == "reg:logistic":
            return _sigmoid(scores[0])
        if objective == "reg:tweedie":
            return exp.Exp(this=scores[0])
        return scores[0]
    classes = model["classes"]
    if len(scores) == 1:
        return exp.Case(ifs=[exp.If(this=exp.GT(this=exp.Paren(this=scores[0]), expression=_number(0.0)),
                                    true=_label(classes[1]))], default=_label(classes[0]))
    return _argbest(scores, classes + list(range(len(classes), len(scores))))


def probability_sql(model: dict, args: list[exp.Expression]) -> exp.Expression:
    """`<function>_probabilities`: P(second class) for binary models, else the winning class's probability."""
    if model["kind"] == "kmeans" or model["problem_type"] == "REGRESSION":
        raise ValueError("only classifiers have probabilities")
    scores = margins(model, args)
    if len(scores) == 1:
        if model.get("objective") == "binary:hinge":
            raise ValueError("OBJECTIVE 'binary:hinge' gives no probabilities")
        return _sigmoid(scores[0])
    return _softmax_best(scores)
