"""Semantic rewrites: where source and target differ in meaning, not just spelling.

Each rule is a small function over the syntax tree in one of the modules below. RULES is the
one table of them, in the order they run: `sources` are the dialects whose meaning a rule makes
explicit, `engines` the targets it is written for (empty: any), `kinds` the node types it acts on
(a tree without one is skipped). A rule that cannot translate a construct faithfully raises
`Refused` (a CompileError later). A rule that spells something per engine names each engine it
knows (base.Context.per_engine): a new engine is refused there, never given another's arm; and
a row with both sources and engines refuses what it acts on for an engine not in DECIDED_FOR.
The last rows plan for engines that run a query as written (Polars): same rows, better shape.
"""

from __future__ import annotations

import dataclasses

from sqlglot import exp

from sqlrun.adapters import engine_class
from sqlrun.engine.catalog import Query
from sqlrun.engine.rewrites import (
    aggregates,
    array_constants,
    array_insert,
    arrays,
    binary_constants,
    binary_literals,
    binary_strings,
    boolean_tests,
    coercion,
    column_case,
    correlated,
    date_arith,
    date_names,
    dates,
    decorrelate,
    domains,
    duckdb_misread,
    duckdb_on_spark,
    duckdb_round,
    duckdb_splits,
    duckdb_strftime_spark,
    duckdb_sums,
    duckdb_texts,
    float_edges,
    fromless,
    functions,
    identifiers,
    interval_spans,
    join_null_safe,
    join_order,
    join_subqueries,
    map_groups,
    marks,
    naive_timestamps,
    narrowing,
    null_arguments,
    numbers,
    order_names,
    order_nested,
    output_names,
    polars_cast_targets,
    polars_date_parts,
    polars_duckdb_types,
    polars_edges,
    polars_functions,
    polars_groups,
    polars_like_escape,
    polars_rows,
    polars_text_dates,
    polars_time_zones,
    polars_times,
    polars_unsigned,
    polars_using,
    polars_values,
    queries,
    redshift_numbers,
    regressions,
    spark_builtins,
    spark_calls,
    spark_dates,
    spark_edges,
    spark_in_values,
    spark_refusals,
    spark_round,
    spark_text_dates,
    split_limit,
    strftime_codes,
    strings,
    substrings,
    table_functions,
    text_constants,
    timestamp_parts,
    trunc_units,
    using_star,
    where_without_from,
)
from sqlrun.engine.rewrites.base import POSTGRES_LIKE, SPARK, Context, Refused, Rule
from sqlrun.engine.target import Target

# fmt: off
RULES: tuple[Rule, ...] = (
    # Spark's range() table in FROM, then source functions sqlglot does not know, spelled out with the source's meaning (before the rest).
    Rule("spark_range_table", table_functions.spark_range, SPARK, (), kinds=(exp.Anonymous,)),
    Rule("duckdb_calls_sqlglot_misreads", duckdb_misread.duckdb_misread_calls, ("duckdb",), (), same_dialect=True, kinds=duckdb_misread.KINDS),
    Rule("source_functions_spelled_out", functions.spell_out, (*SPARK, "duckdb"), (), kinds=(exp.Anonymous,)),
    Rule("spark_builtins_spelled_out", spark_builtins.spark_builtins, SPARK, (), kinds=(exp.Anonymous, exp.ToNumber, exp.Any, exp.Negative)),
    Rule("spark_time_type", coercion.spark_time_type, SPARK, (), same_dialect=True, kinds=(exp.Cast, exp.TryCast)),
    Rule("duckdb_time_type_on_spark", coercion.spark_time_type, ("duckdb",), ("spark",), kinds=(exp.Cast, exp.TryCast)),
    Rule("spark_to_char_as_written", functions.spark_to_char_as_written, SPARK, ("spark",), same_dialect=True, kinds=(exp.ToChar,)),
    Rule("spark_day_count_text", date_arith.spark_day_count_text, SPARK, (), same_dialect=True, kinds=(exp.TsOrDsAdd,)),
    Rule("spark_frame_interval_is_one_literal", date_arith.spark_frame_interval, SPARK, ("spark",), same_dialect=True, kinds=(exp.WindowSpec,)),
    Rule("polars_binary_constants", binary_constants.polars_binary_constants, SPARK, ("polars",), kinds=binary_constants.KINDS),
    Rule("polars_array_constants", array_constants.polars_array_constants, SPARK, ("polars",), kinds=array_constants.KINDS),
    Rule("polars_text_constants", text_constants.polars_text_constants, SPARK, ("polars",), kinds=text_constants.KINDS),
    Rule("float_text_between_dialects", float_edges.float_text, (*SPARK, "duckdb"), ("duckdb", "polars", "spark"), kinds=(exp.Cast, exp.TryCast)),
    Rule("spark_float_choice_as_text", float_edges.spark_float_choice_as_text, SPARK, ("duckdb", "polars"), kinds=float_edges.CHOICES),
    Rule("spark_text_compared_with_a_boolean", coercion.spark_text_against_boolean, SPARK, ("duckdb", "polars"), kinds=(exp.EQ, exp.NEQ, exp.LT, exp.LTE, exp.GT, exp.GTE)),
    Rule("spark_text_casts", coercion.spark_text_casts, SPARK, ("duckdb", "polars"), kinds=(exp.Cast, exp.TryCast)),
    Rule("spark_patterns_as_written", spark_edges.spark_patterns_as_written, SPARK, ("spark",), same_dialect=True, kinds=spark_edges.PATTERN_CALLS),
    Rule("spark_text_read_as_a_number_trims", spark_edges.spark_text_to_number, SPARK, ("duckdb", "polars"), kinds=(exp.Cast, exp.TryCast)),
    Rule("spark_power_of_nan_and_infinity", spark_edges.spark_power, SPARK, ("duckdb", "polars"), kinds=(exp.Pow,)),
    Rule("spark_split_part_by_nothing", spark_edges.spark_split_part, SPARK, ("duckdb", "polars"), kinds=(exp.SplitPart,)),
    Rule("spark_div_of_fractions", spark_edges.spark_div_of_fractions, SPARK, ("duckdb",), kinds=(exp.IntDiv,)),
    Rule("spark_to_binary_hex", spark_edges.spark_to_binary, SPARK, ("duckdb",), kinds=(exp.ToBinary,)),
    Rule("spark_date_from_unix_date_is_a_date", spark_edges.spark_date_from_unix_date, SPARK, ("duckdb",), kinds=(exp.DateFromUnixDate,)),
    Rule("spark_timestampadd_of_a_date", spark_edges.spark_timestampadd_of_date, SPARK, ("polars",), kinds=(exp.TimestampAdd,)),
    Rule("spark_avg_of_timestamp", spark_refusals.spark_avg_of_timestamp, SPARK, ("duckdb", "polars"), kinds=(exp.Avg,)),
    Rule("spark_correlated_limit", spark_refusals.spark_correlated_limit, SPARK, ("duckdb", "polars"), kinds=(exp.Limit,)),
    Rule("spark_grouped_in_subquery", spark_refusals.spark_grouped_in_subquery, SPARK, ("duckdb", "polars"), kinds=(exp.In,)),
    Rule("spark_nested_correlated_cte", spark_refusals.spark_nested_correlated_cte, SPARK, ("spark",), same_dialect=True, kinds=(exp.With,)),
    Rule("polars_group_by_constants_over_no_rows", polars_groups.polars_constant_groups, (), ("polars",), kinds=(exp.Group,)),
    Rule("spark_functions_the_targets_lack", spark_calls.spark_missing_functions, SPARK, ("duckdb", "polars"), kinds=(exp.Elt, exp.Sec, exp.Csc, exp.Replace)),
    Rule("spark_try_add_width_bucket", spark_calls.spark_typed_functions, SPARK, ("duckdb",), kinds=(exp.SafeAdd, exp.WidthBucket)),
    Rule("spark_binary_string_forms", binary_strings.spark_binary_forms, SPARK, ("duckdb", "polars"), kinds=binary_strings.KINDS),
    Rule("spark_binary_string_calls", spark_calls.spark_binary_string_calls, SPARK, ("duckdb", "polars"), kinds=spark_calls.STRING_CALLS),
    Rule("spark_text_arguments", spark_calls.spark_text_arguments, SPARK, ("duckdb", "polars"), kinds=(exp.Abs, exp.Neg, exp.Length, exp.Left, exp.Right, exp.Pad)),
    Rule("spark_text_read_as_a_date", spark_dates.spark_date_arguments, SPARK, ("duckdb", "polars"), kinds=spark_dates.DATE_CALLS),
    Rule("spark_make_timestamp_date_time", timestamp_parts.spark_make_timestamp_date_time, SPARK, ("duckdb", "polars"), kinds=(exp.TimestampFromParts, exp.Anonymous)),
    Rule("spark_date_time_calls_on_polars", polars_times.spark_times_on_polars, SPARK, ("polars",), kinds=polars_times.KINDS),
    Rule("spark_row_values_on_polars", polars_rows.spark_rows_on_polars, SPARK, ("polars",), kinds=polars_rows.TABLE_KINDS),
    Rule("spark_make_timestamp_invalid_is_null", spark_dates.spark_make_timestamp, SPARK, ("duckdb",), kinds=(exp.TimestampFromParts,)),
    Rule("spark_parse_patterns", spark_dates.spark_parse_patterns, SPARK, ("duckdb", "polars"), kinds=spark_dates.PARSERS),
    Rule("spark_round_integer_overflow_wraps", spark_calls.spark_round_integer_overflow, SPARK, ("duckdb", "polars"), kinds=(exp.Round,)),
    Rule("spark_interval_span_literals", interval_spans.spark_interval_span_literals, SPARK, ("duckdb",), kinds=(exp.Interval,)),
    Rule("spark_interval_spans", spark_dates.spark_interval_spans, SPARK, ("duckdb", "polars"), kinds=(exp.Interval,)),
    Rule("spark_split_limit", split_limit.spark_split_limit, SPARK, ("duckdb",), kinds=(exp.RegexpSplit,)),
    Rule("spark_div_by_zero_is_null", spark_calls.spark_div_by_zero, SPARK, ("duckdb", "polars"), kinds=(exp.IntDiv,)),
    Rule("spark_call_details", spark_calls.spark_call_details, SPARK, ("duckdb",), kinds=spark_calls.CALL_DETAILS),
    Rule("spark_interval_values", spark_dates.spark_interval_values, SPARK, ("duckdb", "polars"), kinds=(exp.Cast, exp.TryCast, exp.Sub)),
    Rule("spark_casts_to_moments", spark_dates.spark_casts_to_moments, SPARK, ("duckdb", "polars"), kinds=(exp.Cast, exp.TryCast)),
    Rule("spark_timestamp_text_has_no_offset", spark_dates.spark_timestamp_text, SPARK, ("duckdb",), kinds=(exp.Cast, exp.TryCast)),
    Rule("nested_comparisons_parenthesized", coercion.nested_comparisons, (), (), kinds=coercion.PREDICATES),
    Rule("spark_like_operands_are_text", coercion.spark_like_operands_are_text, SPARK, ("duckdb", "polars"), kinds=(exp.Like, exp.ILike, exp.RegexpLike)),
    Rule("spark_concat_binds_like_plus", coercion.spark_concat_binds_like_plus, SPARK, (), kinds=(exp.DPipe,)),
    Rule("spark_text_in_arithmetic_is_double", coercion.spark_text_in_arithmetic, SPARK, ("duckdb", "polars"), kinds=(exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod)),
    Rule("spark_date_plus_interval_is_date", date_arith.spark_date_interval, SPARK, ("duckdb",), kinds=(exp.Interval,)),
    Rule("spark_date_add_is_date", date_arith.spark_date_add_is_date, SPARK, ("duckdb",), kinds=(exp.TsOrDsAdd,)),
    Rule("date_plus_interval_is_timestamp", date_arith.date_interval_timestamp, (*POSTGRES_LIKE, "duckdb"), ("spark", "polars"), kinds=(exp.Interval,)),
    Rule("duckdb_string_split_on_spark", duckdb_splits.duckdb_splits_on_spark, ("duckdb",), ("spark",), kinds=(exp.Split, exp.RegexpSplit)),
    Rule("duckdb_strftime_codes_on_spark", duckdb_strftime_spark.duckdb_codes_on_spark, ("duckdb",), ("spark",), kinds=duckdb_strftime_spark.KINDS),
    Rule("duckdb_date_plus_interval_is_naive_on_spark", naive_timestamps.date_interval_naive, ("duckdb",), ("spark",), kinds=(exp.Interval,)),
    Rule("duckdb_date_trunc_units_on_spark", trunc_units.duckdb_trunc_units, ("duckdb",), ("spark",), kinds=(exp.TimestampTrunc, exp.DateTrunc)),
    Rule("duckdb_timestamps_are_naive_on_spark", naive_timestamps.duckdb_naive_timestamps, ("duckdb",), ("spark",), kinds=naive_timestamps.KINDS),
    Rule("date_minus_date_is_days", date_arith.date_minus_date, (*POSTGRES_LIKE, "duckdb"), ("spark", "polars"), kinds=(exp.Sub,)),
    Rule("redshift_add_months_month_end", date_arith.redshift_add_months, POSTGRES_LIKE, (), kinds=(exp.TsOrDsAdd,)),
    Rule("redshift_trunc_timestamp_is_date", date_arith.redshift_trunc, POSTGRES_LIKE, (), kinds=(exp.Trunc,)),
    Rule("epoch_literal", date_arith.epoch_literal, POSTGRES_LIKE, (), kinds=(exp.Cast,)),
    Rule("redshift_extract_epoch_on_spark", date_arith.extract_epoch_spark, POSTGRES_LIKE, ("spark",), kinds=(exp.Extract,)),
    Rule("spark_unix_timestamp_of_timestamp", date_arith.spark_unix_timestamp, SPARK, ("duckdb",), kinds=(exp.StrToUnix,)),
    Rule("exact_percentiles", aggregates.exact_percentiles, (), (), kinds=(exp.Quantile, exp.WithinGroup, exp.PercentileCont, exp.PercentileDisc)),
    Rule("avg_keeps_its_fraction_on_redshift", aggregates.redshift_avg_fraction, (), ("redshift",), kinds=(exp.Avg,)),
    Rule("spark_skewness_kurtosis_are_population", aggregates.spark_population_moments, SPARK, ("duckdb",), kinds=(exp.Skewness, exp.Kurtosis)),
    Rule("spark_percentiles_stay_exact", aggregates.spark_exact_within_group, (), ("spark",), same_dialect=True, kinds=(exp.WithinGroup,)),
    Rule("redshift_avg_of_integers_is_integer", aggregates.redshift_avg_integer, POSTGRES_LIKE, (), kinds=(exp.Avg,)),
    Rule("duckdb_count_if_of_nothing_is_null", aggregates.duckdb_count_if_of_nothing, ("duckdb",), ("polars", "spark"), kinds=(exp.CountIf,)),
    Rule("spark_count_if_of_nothing_is_zero", aggregates.spark_count_if_of_nothing, SPARK, ("duckdb", "polars"), kinds=(exp.CountIf,)),
    Rule("array_agg_keeps_nulls_on_spark", aggregates.array_agg_on_spark, (*POSTGRES_LIKE, "duckdb"), ("spark",), kinds=(exp.ArrayAgg,)),
    Rule("spark_day_of_week_one_based", dates.spark_day_of_week, SPARK, ("duckdb", "polars"), kinds=(exp.DayOfWeek, exp.Extract)),
    Rule("day_of_week_zero_based_on_spark", dates.zero_based_day_of_week, (*POSTGRES_LIKE, "duckdb"), ("spark",), kinds=(exp.DayOfWeek, exp.Extract)),
    Rule("date_add_keeps_its_type", dates.date_add_type, (), ("duckdb", "spark"), kinds=(exp.TsOrDsAdd, exp.AddMonths)),
    Rule("redshift_datediff_boundaries", dates.redshift_datediff, (*POSTGRES_LIKE, "duckdb"), ("spark", "polars"), kinds=(exp.DateDiff, exp.TsOrDsDiff)),
    Rule("spark_timestampdiff_units", dates.spark_timestampdiff, SPARK, ("duckdb", "polars"), kinds=(exp.DateDiff, exp.TimestampDiff)),
    Rule("date_trunc_returns_timestamp", dates.date_trunc_timestamp, (), ("polars",), kinds=(exp.TimestampTrunc,)),
    Rule("spark_trunc_date", dates.spark_trunc_date, SPARK, ("duckdb", "polars"), kinds=(exp.DateTrunc,)),
    Rule("spark_make_date_invalid_is_null", dates.spark_make_date, SPARK, ("duckdb",), kinds=(exp.DateFromParts,)),
    Rule("spark_extract_second_has_a_fraction", dates.spark_extract_second, SPARK, ("duckdb", "polars"), kinds=(exp.Extract,)),
    Rule("duckdb_extract_second_is_whole_on_spark", dates.duckdb_extract_second, ("duckdb",), ("spark",), kinds=(exp.Extract,)),
    Rule("redshift_folds_identifiers", identifiers.redshift_identifiers, POSTGRES_LIKE, ()),
    Rule("redshift_decimal_quotients_and_means", redshift_numbers.redshift_decimal_cuts, ("redshift",), (), kinds=(exp.Div, exp.Avg)),
    Rule("duckdb_blob_literals_are_bytes", binary_literals.duckdb_blob_literals, ("duckdb",), ("spark", "polars", "redshift"), kinds=(exp.Cast,)),
    Rule("binary_literals_as_varbyte", binary_literals.binary_literals_as_varbyte, (), ("redshift",), kinds=(exp.HexString,)),
    Rule("redshift_sign_keeps_its_type_on_spark", redshift_numbers.redshift_sign_on_spark, ("redshift",), ("spark",), kinds=(exp.Sign,)),
    Rule("redshift_integer_division", numbers.redshift_integer_division, POSTGRES_LIKE, (), kinds=(exp.Div,)),
    Rule("spark_floor_ceil_are_integral", numbers.spark_floor_integral, SPARK, ("duckdb", "polars"), kinds=(exp.Floor, exp.Ceil)),
    Rule("log_one_argument_is_base_ten", numbers.log_base_ten, (*POSTGRES_LIKE, "duckdb"), (), kinds=(exp.Log,)),
    Rule("spark_integers_narrow_by_wrapping", narrowing.spark_integer_narrowing, SPARK, ("duckdb", "polars"), kinds=(exp.Cast,)),
    Rule("spark_cast_to_int_truncates", numbers.spark_cast_truncates, SPARK, ("duckdb",), kinds=(exp.Cast,)),
    Rule("duckdb_cast_to_int_rounds", numbers.duckdb_cast_rounds, ("duckdb",), ("polars", "spark"), kinds=(exp.Cast,)),
    Rule("string_to_integer_casts", numbers.string_to_integer, (), (), kinds=(exp.Cast,)),
    Rule("spark_division_by_zero_is_null", numbers.spark_division_by_zero, SPARK, ("duckdb", "polars"), kinds=(exp.Div,)),
    Rule("spark_modulo_by_zero_is_null", numbers.spark_modulo_by_zero, SPARK, ("duckdb",), kinds=(exp.Mod,)),
    Rule("duckdb_int_div_of_fractions", duckdb_on_spark.duckdb_int_div_of_fractions, ("duckdb",), ("spark",), kinds=(exp.IntDiv,)),
    Rule("duckdb_modulo_of_doubles", duckdb_on_spark.duckdb_modulo_of_doubles, ("duckdb",), ("spark",), kinds=(exp.Mod,)),
    Rule("duckdb_division_is_ieee_double", numbers.duckdb_division, ("duckdb",), ("polars", "spark"), kinds=(exp.Div,)),
    Rule("spark_nanvl", numbers.spark_nanvl, SPARK, ("duckdb", "polars"), kinds=(exp.Nanvl,)),
    Rule("spark_isnan_of_null_is_false", numbers.spark_isnan_of_null, SPARK, ("duckdb", "polars"), kinds=(exp.IsNan,)),
    Rule("duckdb_isnan_of_null_is_null", numbers.duckdb_isnan_of_null, ("duckdb",), ("spark",), kinds=(exp.IsNan,)),
    Rule("spark_ln_of_non_positive_is_null", float_edges.spark_ln, SPARK, ("duckdb", "polars"), kinds=(exp.Ln,)),
    Rule("spark_sign_of_nan_is_nan", float_edges.spark_sign_of_nan, SPARK, ("duckdb",), kinds=(exp.Sign,)),
    Rule("duckdb_types_on_polars", polars_duckdb_types.duckdb_types_on_polars, ("duckdb",), ("polars",), kinds=polars_duckdb_types.KINDS),
    Rule("duckdb_sign_of_nan_is_zero", numbers.duckdb_sign_of_nan, ("duckdb",), ("polars", "spark"), kinds=(exp.Sign,)),
    Rule("polars_greatest_of_nan", numbers.polars_greatest_of_nan, (), ("polars",), kinds=(exp.Greatest,)),
    Rule("spark_functions_polars_lacks", polars_functions.polars_spark_functions, SPARK, ("polars",), kinds=polars_functions.KINDS),
    Rule("spark_regression_slope_and_count_on_duckdb", regressions.duckdb_regressions, SPARK, ("duckdb",), kinds=(exp.RegrSlope, exp.RegrCount)),
    Rule("spark_regressions_and_try_add_on_polars", regressions.polars_regressions, SPARK, ("polars",), kinds=regressions.KINDS),
    Rule("duckdb_ln_of_zero_is_minus_infinity", float_edges.duckdb_ln_on_spark, ("duckdb",), ("spark",), kinds=(exp.Ln,)),
    Rule("duckdb_floor_ceil_of_doubles_on_spark", float_edges.duckdb_floor_ceil_on_spark, ("duckdb",), ("spark",), kinds=(exp.Floor, exp.Ceil)),
    Rule("substring_start_and_length", substrings.substring_positions, (), (), kinds=(exp.Substring,)),
    Rule("spark_substring_index", substrings.substring_index, SPARK, ("duckdb",), kinds=(exp.SubstringIndex,)),
    Rule("redshift_listagg_within_group", strings.redshift_listagg, POSTGRES_LIKE, (), kinds=(exp.WithinGroup,)),
    Rule("redshift_concat_keeps_null", strings.redshift_concat, POSTGRES_LIKE, (), kinds=(exp.Concat,)),
    Rule("regexp_replace_occurrences", strings.regexp_replace, (), (), kinds=(exp.RegexpReplace,)),
    Rule("redshift_regexp_substr_whole_match", strings.regexp_substr, POSTGRES_LIKE, (), kinds=(exp.RegexpExtract,)),
    Rule("format_string_styles", strings.format_styles, (*SPARK, "duckdb"), (), kinds=(exp.Format,)),
    Rule("polars_multi_character_padding", strings.polars_padding, (), ("polars",), kinds=(exp.Pad,)),
    Rule("polars_null_arguments", null_arguments.polars_null_arguments, (), ("polars",), kinds=tuple(null_arguments.ARGUMENTS)),
    Rule("spark_round_of_decimals_on_polars", spark_round.spark_round_of_decimals_on_polars, SPARK, ("polars",), kinds=(exp.Round,)),
    Rule("spark_round_of_doubles_half_up", spark_round.spark_round_of_doubles, SPARK, ("duckdb", "polars"), kinds=(exp.Round,)),
    Rule("duckdb_round_of_doubles_exact", duckdb_round.duckdb_round_of_doubles, ("duckdb",), ("polars", "spark"), kinds=(exp.Round,)),
    Rule("spark_text_to_date", spark_text_dates.spark_text_to_date, SPARK, ("duckdb", "polars"), kinds=(exp.Cast, exp.TryCast, exp.TsOrDsToDate)),
    Rule("polars_cast_targets", polars_cast_targets.polars_cast_targets, (), ("polars",), kinds=(exp.Cast,)),
    Rule("spark_sum_of_integers_wraps", duckdb_sums.spark_sum_of_integers_wraps, SPARK, (), kinds=(exp.Sum,)),
    Rule("spark_avg_of_decimals_rounds_half_up", duckdb_sums.spark_avg_of_decimals, SPARK, ("duckdb", "polars"), kinds=(exp.Avg,)),
    Rule("duckdb_avg_of_decimals_on_spark", duckdb_sums.duckdb_avg_of_decimals_on_spark, ("duckdb",), ("spark",), kinds=(exp.Avg,)),
    Rule("duckdb_sum_of_bigint_is_exact", duckdb_sums.duckdb_sum_of_bigint, ("duckdb",), ("polars",), kinds=(exp.Sum,)),
    Rule("duckdb_date_parts_on_polars", polars_date_parts.duckdb_date_parts_on_polars, ("duckdb",), ("polars",), kinds=polars_date_parts.PARTS),
    Rule("duckdb_numbers_on_polars", polars_edges.duckdb_numbers_on_polars, ("duckdb",), ("polars",), kinds=polars_edges.KINDS),
    Rule("duckdb_intervals_on_polars", polars_edges.duckdb_intervals_on_polars, ("duckdb",), ("polars",), kinds=(exp.Sub, exp.Interval)),
    Rule("duckdb_range_column_on_polars", polars_edges.duckdb_range_column_on_polars, ("duckdb",), ("polars",), kinds=(exp.GenerateSeries,)),
    Rule("duckdb_union_limit_on_polars", polars_edges.duckdb_union_limit_on_polars, ("duckdb",), ("polars",), kinds=(exp.Union,)),
    Rule("polars_float_negation", polars_edges.polars_float_negation, (), ("polars",), kinds=(exp.Neg,)),
    Rule("duckdb_text_to_date", duckdb_on_spark.duckdb_text_to_date, ("duckdb",), ("spark",), kinds=(exp.Cast, exp.TryCast)),
    Rule("text_with_a_time_read_as_a_date_on_polars", polars_text_dates.text_dates_on_polars, ("duckdb",), ("polars",), kinds=(exp.Cast, exp.TryCast)),
    Rule("duckdb_like_escape_on_polars", polars_like_escape.duckdb_like_escape_on_polars, ("duckdb",), ("polars",), kinds=(exp.Escape,)),
    Rule("duckdb_special_moments", duckdb_texts.special_moments, ("duckdb",), ("polars", "spark"), kinds=(exp.Cast,)),
    Rule("duckdb_boolean_text_comparisons", duckdb_texts.boolean_text_comparisons, ("duckdb",), ("polars",), kinds=duckdb_texts.COMPARISONS),
    Rule("polars_is_true_of_null_is_false", boolean_tests.polars_is_true, (), ("polars",), kinds=(exp.Is,)),
    Rule("duckdb_calls_on_spark", duckdb_on_spark.duckdb_calls_on_spark, ("duckdb",), ("spark",), kinds=(exp.Extract, exp.Escape, exp.Cast, exp.TryCast, exp.Sign, exp.Atan2)),
    Rule("duckdb_booleans_among_numbers", duckdb_on_spark.duckdb_booleans_among_numbers, ("duckdb",), ("polars", "spark"), kinds=duckdb_on_spark.ORDERED),
    Rule("duckdb_left_right_of_a_negative_count", duckdb_on_spark.duckdb_left_right_negative, ("duckdb",), ("spark",), kinds=(exp.Left, exp.Right)),
    Rule("polars_left_right", strings.polars_left_right, (), ("polars",), kinds=(exp.Left, exp.Right)),
    Rule("polars_naive_and_utc_timestamps", polars_time_zones.polars_naive_and_utc, SPARK, ("polars",), kinds=(exp.Cast, exp.TryCast)),
    Rule("timestamp_text_on_polars", coercion.polars_timestamp_text, (*SPARK, "duckdb"), ("polars",), kinds=(exp.Cast, exp.TryCast)),
    Rule("polars_strpos_nulls_and_start", strings.polars_strpos, (), ("polars",), kinds=(exp.StrPosition,)),
    Rule("polars_lengths_are_signed", polars_unsigned.polars_signed_lengths, (), ("polars",), kinds=polars_unsigned.UNSIGNED),
    Rule("polars_nested_order_keys", order_nested.polars_nested_order_keys, ("duckdb",), ("polars",), kinds=(exp.Ordered,)),
    Rule("polars_order_keys_unshadowed", order_names.polars_order_keys_unshadowed, (), ("polars",), kinds=(exp.Order,)),
    Rule("polars_unique_output_names", output_names.polars_unique_names, (), ("polars",)),
    Rule("iso_day_of_week_on_spark", date_names.iso_dow_spark, (), ("spark",), kinds=(exp.DayOfWeekIso, exp.Extract)),
    Rule("day_and_month_names", date_names.day_month_names, (), (), kinds=(exp.Dayname, exp.Monthname)),
    Rule("duckdb_week_is_iso", date_names.duckdb_week, ("duckdb",), ("spark",), kinds=(exp.Week,)),
    Rule("duckdb_strftime_codes_on_polars", strftime_codes.duckdb_codes_on_polars, ("duckdb",), ("polars",), kinds=strftime_codes.KINDS),
    Rule("redshift_to_char_names", date_names.redshift_to_char, POSTGRES_LIKE, (), kinds=(exp.TimeToStr,)),
    Rule("polars_unnest_skips_empty", arrays.polars_unnest, (), ("polars",), kinds=(exp.Explode, exp.ExplodeOuter)),
    Rule("explode_outer_keeps_a_null_row", arrays.explode_outer, SPARK, ("duckdb",), kinds=(exp.ExplodeOuter, exp.Lateral)),
    Rule("polars_has_no_lateral", arrays.polars_lateral, (), ("polars",), kinds=(exp.Lateral,)),
    Rule("duckdb_len_of_a_list", arrays.duckdb_len_of_list, ("duckdb",), (), kinds=(exp.Length,)),
    Rule("spark_size_of_null", arrays.spark_size_of_null, SPARK, ("duckdb", "polars", "redshift"), kinds=(exp.ArraySize,)),
    Rule("size_of_null_on_spark", arrays.size_of_null_on_spark, (), ("spark",), kinds=(exp.ArraySize,)),
    Rule("spark_array_size_as_written", arrays.spark_array_size_as_written, SPARK, ("spark",), same_dialect=True, kinds=(exp.ArraySize,)),
    Rule("named_struct_on_spark", arrays.named_struct_on_spark, (), ("spark",), same_dialect=True, kinds=(exp.Struct,)),
    Rule("array_contains_nulls", arrays.array_contains, (), (), kinds=(exp.ArrayContains,)),
    Rule("array_distinct_order_and_nulls", arrays.array_distinct, (), (), kinds=(exp.ArrayDistinct,)),
    Rule("date_sequence_stays_dates", arrays.date_sequence, SPARK, ("duckdb", "polars"), kinds=(exp.GenerateSeries,)),
    Rule("redshift_split_to_array", arrays.split_to_array, ("redshift",), ("spark",), kinds=(exp.StringToArray,)),
    Rule("duckdb_slices", arrays.duckdb_slices, ("duckdb",), ("polars", "spark"), kinds=(exp.Bracket,)),
    Rule("polars_has_no_lambdas", arrays.polars_lambdas, (), ("polars",), kinds=(exp.Lambda, exp.Comprehension, exp.ArrayFilter, exp.Transform, exp.ArrayConcat, exp.Concat, exp.DPipe)),
    Rule("duckdb_list_comprehension_on_spark", arrays.list_comprehension, ("duckdb",), ("spark",), kinds=(exp.Array,)),
    Rule("polars_window_frames", queries.polars_frames, (), ("polars",), kinds=(exp.WindowSpec, exp.Window)),
    Rule("polars_set_operation_types", queries.polars_set_operation_types, ("duckdb",), ("polars",), kinds=(exp.Except, exp.Intersect)),
    Rule("polars_rolling_min_max", queries.polars_rolling_min_max, (), ("polars",), kinds=(exp.Window,)),
    Rule("spark_group_by_map", map_groups.spark_group_by_map, SPARK, (), kinds=(exp.Group,)),
    Rule("spark_grouping_sets_need_rows", queries.spark_grouping_sets_need_rows, SPARK, ("duckdb", "polars"), kinds=(exp.GroupingSets, exp.Rollup, exp.Cube)),
    Rule("spark_null_in_subquery_is_null", queries.spark_null_in_subquery, SPARK, ("duckdb", "polars"), kinds=(exp.In,)),
    Rule("with_rollup_as_rollup", queries.with_rollup, (), (), kinds=(exp.Rollup, exp.Cube)),
    Rule("union_by_name", queries.union_by_name, ("duckdb",), ("spark", "polars"), kinds=(exp.SetOperation,)),
    Rule("polars_using_joins_as_on_joins", polars_using.polars_using_joins, SPARK, ("polars",), kinds=(exp.Join,)),
    Rule("spark_using_star_keys_first", queries.using_star_keys_first, SPARK, ("duckdb", "polars"), kinds=(exp.Join,)),
    Rule("polars_outer_using_joins", queries.polars_outer_using_joins, (), ("polars",), kinds=(exp.Join,)),
    Rule("polars_using_star_repeats_keys", using_star.polars_using_star, (), ("polars",), kinds=(exp.Join,)),
    Rule("joins_the_target_lacks", queries.missing_joins, (), ("polars", "spark"), kinds=(exp.Join, exp.Lateral)),
    Rule("spark_correlated_in_as_a_value", spark_in_values.spark_in_subquery_values, SPARK, ("duckdb", "polars"), kinds=(exp.In,)),
    Rule("quantified_subquery_on_spark", queries.quantified_subquery, (), ("spark",), kinds=(exp.All, exp.Any)),
    Rule("materialized_cte_hint", queries.materialized_cte, (), ("polars", "spark"), kinds=(exp.CTE,)),
    Rule("distinct_on_keeps_order", queries.distinct_on, (), ("spark",), kinds=(exp.Distinct,)),
    # last of the rules of meaning: its CASTs must not make the rules after it type the tree
    Rule("spark_integer_arithmetic_wraps", narrowing.spark_integer_arithmetic_wraps, SPARK, ("duckdb",), kinds=(exp.Add, exp.Sub, exp.Mul)),
    # after it: its arithmetic on list lengths never leaves BIGINT
    Rule("unix_units_floor_on_duckdb", spark_dates.unix_units_floor_on_duckdb, (), ("duckdb",), kinds=(exp.UnixSeconds, exp.UnixMillis)),
    Rule("spark_array_insert_pads_with_nulls", array_insert.spark_array_insert, SPARK, ("duckdb",), kinds=(exp.ArrayInsert,)),
    # Planning, after every rule of meaning: the same rows, in a form the engine runs well.
    Rule("polars_values_of_expressions", polars_values.polars_values_of_expressions, (), ("polars",), kinds=(exp.Values,)),
    Rule("polars_fromless_subqueries_inlined", fromless.inline, (), ("polars",), kinds=(exp.Subquery, exp.Exists)),
    # after it: a correlated subquery without FROM is written in place first
    Rule("polars_where_without_from", where_without_from.polars_where_without_from, (), ("polars",), kinds=(exp.Where,)),
    Rule("polars_column_names_as_defined", column_case.as_defined, (), ("polars",), kinds=(exp.Column,)),
    Rule("polars_join_null_safe_keys", join_null_safe.polars_join_null_safe, (), ("polars",), kinds=(exp.NullSafeEQ,)),
    Rule("polars_join_condition_subqueries", join_subqueries.polars_join_subqueries, (), ("polars",), kinds=(exp.Join,)),
    Rule("polars_connected_join_order", join_order.connected_order, (), ("polars",), kinds=(exp.Join,)),
    Rule("polars_decorrelated_subqueries", decorrelate.decorrelate, (), ("polars",), kinds=(exp.Subquery, exp.Exists)),
    Rule("polars_correlated_marks", marks.marks, (), ("polars",), kinds=(exp.Subquery, exp.Exists)),
    Rule("polars_correlated_by_domain", domains.domains, (), ("polars",), kinds=(exp.Subquery, exp.Exists)),
    Rule("polars_plans_no_other_correlated", correlated.polars_unplannable, (), ("polars",), kinds=(exp.Subquery, exp.Exists)),
)
# fmt: on


# The engines each row's `engines` column was decided for. A row with sources and engines says
# "the other engines already mean what the source means": for an engine not listed here (a new
# one) that is not known, so what such a rule acts on is refused until someone decides.
DECIDED_FOR = ("duckdb", "polars", "spark", "redshift")


def apply(query: Query, tree: exp.Expression, target: Target, schema: dict | None = None) -> exp.Expression:
    ctx = Context(query, target, schema)
    present: set[type] | None = None  # the node types in the tree, while no rule has run
    for r in RULES:
        if not r.applies(ctx):
            if r.sources and r.engines and target.name not in DECIDED_FOR and r.reads(ctx):
                _undecided(r, tree, ctx)
            continue
        if r.kinds:
            if present is None:
                present = {type(n) for n in tree.walk()}
            if not any(issubclass(t, r.kinds) for t in present):
                continue
        tree = r.fn(tree, ctx)
        present = None
    return tree


def _undecided(r: Rule, tree: exp.Expression, ctx: Context) -> None:
    """Refuse what the rule would change for the engines it was decided for (it acts here)."""
    node = next(tree.find_all(*r.kinds), None) if r.kinds else tree
    if node is None:
        return
    decided = Context(ctx.query, dataclasses.replace(ctx.target, adapter=engine_class(r.engines[0])), ctx.schema)
    try:
        acts = r.fn(tree.copy(), decided).sql() != tree.sql()
    except Exception:  # a refusal there, or a failure: it acts on this tree
        acts = True
    if acts:
        raise Refused(node, f"rule {r.name} (for {', '.join(r.engines)}) is not decided for {ctx.engine} yet")


__all__ = ["DECIDED_FOR", "RULES", "Context", "Refused", "Rule", "apply"]
