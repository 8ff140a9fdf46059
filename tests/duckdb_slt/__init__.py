"""DuckDB's own sqllogictest files (test/sql/...) as frozen conformance cases for the duckdb dialect.

`python -m tests.duckdb_slt.importer --duckdb-git DIR` reads the files listed in FILES at the
pinned commit, runs each file's setup statements on DuckDB, keeps each query with the expected
values the file gives (checked against the installed DuckDB over the frozen tables) and the tables
it reads as parquet, under data/. `python -m tests.duckdb_slt.conformance` runs them through sqlrun
on every engine (docs/duckdb-slt.md); tests/test_duckdb_slt.py runs a seeded sample in `make test`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tests.spark_sqltests import read_cases, read_markers

HERE = Path(__file__).parent
DATA = HERE / "data"
MARKERS_FILE = HERE / "markers.toml"
REPOSITORY = "duckdb/duckdb"
# duckdb/duckdb main of 2026-08-20 ("Make `preserve_identifier_case` a three-state setting (#24375)"):
# the newest commit the mirror holds; the installed duckdb is v2.0.1 (8d78114e90), which is not in it.
COMMIT = "044a04a7cd39e6e8235f756597ae42dde084e5e5"
TESTS = "test/sql"
ENGINES = ("duckdb", "polars", "spark")
# The files imported, by directory under test/sql (each name + ".test").
FILES = {
    "aggregate/aggregates": """
        approx_top_k arg_min_max_n arg_min_max_n_tpch arg_min_max_nulls_last histogram_exact lttb
        max_n_all_types_grouped mode_rewrite string_agg_union test_aggr_string test_aggregate_types
        test_aggregate_types_scalar test_any_value test_any_value_noninlined test_approx_quantile
        test_approximate_distinct_count test_arg_min_max test_arg_min_max_null test_avg
        test_bigint_avg test_binned_histogram test_bit_and test_bit_or test_bit_xor test_bool
        test_corr test_count test_count_all_types test_count_star test_covar test_empty_aggregate
        test_entropy test_first_last_any_ordered test_first_noninlined test_group_on_expression
        test_histogram test_histogram_3529 test_incorrect_aggregate test_kahan_avg test_kahan_sum
        test_kurtosis test_last test_last_noninlined test_mad test_median test_minmax
        test_minmax_14145 test_mode test_null_aggregates test_order_by_aggregate
        test_ordered_aggregates test_perfect_ht test_product test_quantile_cont
        test_quantile_cont_list test_quantile_disc test_quantile_disc_list test_regression
        test_scalar_aggr test_sem test_simple_filter test_skewness test_stddev test_string_agg
        test_string_agg_big test_sum test_weighted_avg
    """,
    "aggregate/distinct": """
        distinct_limit distinct_on_nulls distinct_on_order_by test_distinct test_distinct_on
        test_distinct_on_columns test_distinct_order_by
    """,
    "aggregate/distinct/grouped": """
        combined_with_grouping identical_inputs multiple_grouping_sets string_agg
    """,
    "aggregate/distinct/rewrite": """
        distinct_aggregate_rewrite
    """,
    "aggregate/distinct/ungrouped": """
        test_distinct_ungrouped test_distinct_ungrouped_shared_input
    """,
    "aggregate/grouping_sets": """
        cube grouping grouping_sets grouping_sets_filter multiple_empty_grouping_sets rollup
    """,
    "aggregate/having": """
        having_alias having_without_groupby test_having test_scalar_having
    """,
    "aggregate/qualify": """
        test_qualify test_qualify_macro test_qualify_view test_qualify_view_no_view_dependencies
    """,
    "cast": """
        boolean_autocast decimal_cast decimal_float_cast decimal_integer_cast double_float_cast
        float_decimal_cast float_integer_cast signed_cast_repro string_to_integer_decimal_cast
        string_to_integer_exponent_cast string_to_list_cast string_to_list_escapes
        string_to_list_roundtrip string_to_map_escapes string_to_struct_cast
        string_to_struct_escapes string_to_struct_roundtrip string_to_unnamed_struct struct_to_map
        test_boolean_cast test_exponent_in_cast test_string_binary_cast test_string_cast
        test_try_cast timestamp_casts timestamp_date_cast union_cast
    """,
    "function/date": """
        date_add date_diff_extreme_dates date_part_stats date_trunc_4202 date_trunc_stats
        test_date_part test_date_trunc test_extract test_extract_edge_cases test_extract_month
        test_extract_year test_strftime test_strftime_exhaustive test_time_bucket_date
    """,
    "function/generic": """
        case_condition case_short_circuit case_varchar constant_or_null hash_func
        least_greatest_enum least_greatest_types test_between test_boolean_test test_if test_if_null
        test_in test_least_greatest test_null_if
    """,
    "function/numeric": """
        abs decimal_mod test_arithmetic_aliases test_binom test_bit_count test_even test_factorial
        test_fdiv_fmod test_floor_ceil test_gamma test_gcd_lcm test_geomean test_invalid_math
        test_is_nan test_mod test_nextafter test_pg_math test_pow test_round test_round_even
        test_round_integers test_sign_bit test_trigo test_trunc test_trunc_precision
        test_type_resolution test_unary
    """,
    "function/string": """
        hex like_unicode md5 null_byte overlay regex_capture regex_escape regex_extract
        regex_extract_all regex_extract_all_struct regex_operators regex_replace regex_search
        regexp_split_to_table regexp_unicode_literal sha1 sha256 strip_accents test_array_extract
        test_ascii test_bit_length test_caseconvert test_complex_unicode test_concat
        test_concat_binding test_concat_function test_concat_ws test_contains test_contains_utf8
        test_damerau_levenshtein test_format test_format_extensions test_glob test_ilike
        test_ilike_constant_pattern test_ilike_embedded_null test_ilike_escape
        test_ilike_escape_constant_pattern test_instr test_instr_utf8 test_jaccard test_jaro_winkler
        test_left test_length test_levenshtein test_like test_like_escape test_mismatches test_pad
        test_prefix test_printf test_repeat test_replace test_reverse test_right test_similar_to
        test_split_part test_starts_with_function test_starts_with_function_utf8
        test_starts_with_operator test_starts_with_operator_utf8 test_string_array_slice
        test_string_slice test_string_split test_subscript test_substring test_substring_utf8
        test_suffix test_to_base test_translate test_trim test_unicode test_url_encode
    """,
    "function/timestamp": """
        age epoch make_date test_date_diff_epoch test_date_part test_extract test_extract_ms
        test_icu_age test_icu_dateadd test_icu_datediff test_icu_datepart test_icu_datesub
        test_icu_datetrunc test_icu_strftime test_icu_strptime test_icu_time_bucket_timestamptz
        test_strftime_timestamp test_strftime_timestamp_ns test_strptime test_strptime_nonascii
        test_time_bucket_timestamp test_try_strptime
    """,
    "join/inner": """
        empty_tinyint_column equality_join_limits join_cross_product list_join not_between_is_null
        test_eq_ineq_join test_join test_join_duplicates test_join_filter_precedence
        test_join_is_distinct test_join_is_not_distinct test_lt_join test_range_join
        test_unequal_join test_unequal_join_duplicates test_using_chain test_using_join
        test_varchar_join
    """,
    "join/left_outer": """
        non_foldable_left_join test_left_join_on_true test_left_outer unique_left_join
    """,
    "setops": """
        ambiguous_order_by test_except test_full_outer_join_union test_nested_except test_pg_union
        test_setops test_union_all_by_name test_union_binding test_union_by_name
        test_union_except_empty test_union_order test_union_subquery test_union_type_cast
        union_aggregate union_limit union_pipeline union_shared_scan value_union
    """,
    "subquery/scalar": """
        array_order_subquery array_subquery coalesce_subquery correlated_missing_columns
        in_multiple_columns nested_subquery_window order_by_correlated subquery_row_in_any
        test_complex_correlated_subquery test_complex_nested_correlated_subquery
        test_correlated_grouping_set test_correlated_set_op test_correlated_subquery
        test_correlated_subquery_cte test_correlated_subquery_where test_correlated_window
        test_count_star_subquery test_grouped_correlated_subquery test_join_in_subquery
        test_many_correlated_columns test_scalar_subquery test_scalar_subquery_cte
        test_subquery_any_join test_uncorrelated_scalar_subquery test_uncorrelated_varchar_subquery
        test_unnest_subquery test_varchar_correlated_subquery test_window_function_subquery
    """,
    "types/null": """
        test_boolean_null test_is_null test_null test_null_aggr test_null_cast
    """,
    "window": """
        test_basic_window test_boundary_expr test_constant_orderby test_cume_dist_orderby
        test_dense_rank test_duplicate_partition test_empty_frames test_evil_window
        test_fill_orderby test_ignore_nulls test_invalid_window test_lead_lag test_leadlag_orderby
        test_list_window test_mad_window test_mode_window test_naive_aggregation test_negative_range
        test_no_default_window_spec test_nthvalue test_ntile test_order_by_all test_quantile_window
        test_range_optimisation test_rank test_rank_orderby test_rownumber_orderby
        test_scalar_window test_value_exclude test_value_orderby test_wide_orderby
        test_window_aggregate_macro test_window_binding test_window_binding_ctes test_window_bool
        test_window_clause test_window_constant_aggregate test_window_constant_allocator
        test_window_cse test_window_dbplyr test_window_distinct test_window_filter
        test_window_finalize_race test_window_fusion test_window_interval test_window_order_collate
        test_window_rows test_window_string_agg test_window_types test_window_wisconsin
        window_mtcars
    """,
    "order": """
        test_order_by test_nulls_first order_by_all test_limit top_n_nulls
    """,
}


def file_list() -> list[str]:
    return [f"{d}/{name}.test" for d, names in FILES.items() for name in names.split()]


@dataclass(frozen=True)
class Case:
    file: str  # relative to TESTS
    line: int  # the line of its `query` command
    sql: str
    status: str  # ok, or why it is left out (importer.py)
    columns: int = 0  # the column count its `query` line declares
    sort: str = "nosort"
    expected: list = field(default_factory=list)  # the expected lines, as in the file
    sources: dict = field(default_factory=dict)  # table name -> parquet file under DATA
    error: str = ""
    file_sql: str = ""  # the query as the file wrote it, when sql is rewritten (settings.py)
    nth: int = 1  # its place among the cases of that line (loops unrolled)

    @property
    def id(self) -> str:
        return f"{self.file}:{self.line}" + (f".{self.nth}" if self.nth > 1 else "")


def data_files() -> list[Path]:
    return sorted((DATA / "cases").rglob("*.json"))


def load_cases() -> list[Case]:
    return read_cases(data_files(), Case)


def load_markers() -> dict:
    """case id -> engine -> marker (the format of tests/spark_sqltests/markers.py)."""
    return read_markers(MARKERS_FILE)
