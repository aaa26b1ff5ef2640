"""Compare SCIM filter/PATCH-path parsers: ours against scim2-models and scim2-filter-parser.

What it measures, for ``scim_provisioning.filter_parser`` (ours) and for each of the two
PyPI parsers that is installed:

1. Correctness: every input of ``tests/test_filter_parser.py`` (the RFC 7644 §3.4.2.2
   examples, precedence, operators and keywords in any case, literals, the PATCH paths of
   §3.5.2, and the invalid-filter and invalid-path tables) goes through the library's own
   entry point. Its tree is translated into ours and compared *with the types of the
   values* (``1``, ``"1"`` and ``true`` differ), and also by shape only (values compared
   as text, for a library whose tree keeps literals as strings). An invalid input counts
   as rejected when the library raises its own error; any other exception (``TypeError``,
   ``RecursionError``) is counted as a crash. A few probes outside the test tables
   (nesting depth, keywords inside attribute names, vendor extensions) are shown apart.
2. Speed: the median time of one parse of three filters -- the IdP hot path
   ``userName eq "..."``, the RFC's medium filter with a group, and two value paths -- and
   of one PATCH path, over 41 ``timeit`` runs of about 10 ms each (GC off). The parsers take
   turns run by run, so a change in the machine's load hits them alike; the second table is
   the median of each run's ratio to ours in the same round, the steadier figure on a busy
   machine. scim2-models caches parsed filters in an ``lru_cache``: it is timed with the
   cache emptied before each parse (what a filter not seen before costs, e.g. each new
   ``userName``) and warm (the same string again).
3. Import time: the ``import`` in a fresh interpreter, median of 7 (parsers taking turns),
   alone and after the standard-library modules that a Django process has already loaded.

The entry points are the ones each library documents: ``parse_filter`` /
``parse_patch_path`` (ours), ``ScimFilter(text).ast`` / ``Path(text).ast``
(scim2-models), ``SCIMParser().parse(SCIMLexer().tokenize(text))``
(scim2-filter-parser, which has no PATCH-path parser of its own: its
``attr_paths.AttrPath`` runs that same filter parser on the path).

Run it from the repository root, in an environment with pytest (the test tables are
imported from ``tests/test_filter_parser.py``) and the libraries to compare (a library
that is missing is skipped); the parser itself needs no Django::

    pip install pytest scim2-models scim2-filter-parser
    python benchmarks/filter_parsers.py            # about half a minute
    python benchmarks/filter_parsers.py --errors   # also every error message, side by side
    python benchmarks/filter_parsers.py --quick    # fewer timing repeats
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import importlib.metadata
import json
import platform
import statistics
import subprocess
import sys
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scim_provisioning import __version__ as OUR_VERSION  # noqa: E402
from scim_provisioning.filter_parser import (  # noqa: E402
    COMPARE_OPERATORS,
    And,
    AttrPath,
    Compare,
    FilterSyntaxError,
    Not,
    Or,
    PatchPath,
    Present,
    ValuePath,
    parse_filter,
    parse_patch_path,
)
from tests import test_filter_parser as tables  # noqa: E402

FILTER, PATH = "filter", "path"

# --------------------------------------------------------------------------- inputs


def valid_cases() -> list[tuple[str, str, str, Any]]:
    """(group, kind, text, expected tree) for every valid input of the test module."""
    cases = [("RFC examples", FILTER, text, tree) for text, tree in tables.RFC_EXAMPLES]
    cases += [("precedence", FILTER, text, tree) for text, tree in tables.PRECEDENCE]
    cases += [
        ("operators, any case", FILTER, f'userName {spell(op)} "x"', Compare(tables.USER_NAME, op, "x"))
        for op in sorted(COMPARE_OPERATORS)
        for spell in (str.lower, str.upper, str.title)
    ]
    cases += [("keywords, any case", FILTER, text, tree) for text, tree in tables.KEYWORDS_IN_ANY_CASE]
    cases += [("literals", FILTER, f"a eq {text}", Compare(tables.A, "eq", value)) for text, value in tables.LITERALS]
    cases += [("PATCH paths", PATH, text, tree) for text, tree in tables.PATCH_PATHS]
    return cases


def invalid_cases() -> list[tuple[str, str, Any]]:
    """(group, kind, text) for every input the test module requires to be refused."""
    cases = [("invalid filters", FILTER, text) for text, _ in tables.INVALID_FILTERS]
    cases += [("invalid PATCH paths", PATH, text) for text, _ in tables.INVALID_PATCH_PATHS]
    return cases


# Outside the test tables: (label, kind, text, what the RFC grammar says).
PROBES = [
    ("400 nested groups", FILTER, "(" * 400 + "title pr" + ")" * 400, "valid, but a server may limit depth"),
    ("40 nested not()", FILTER, "not (" * 40 + "title pr" + ")" * 40, "valid, but a server may limit depth"),
    ("attribute 'nullable'", FILTER, "nullable pr", "valid (ATTRNAME)"),
    ("attribute 'trueName'", FILTER, 'trueName eq "x"', "valid (ATTRNAME)"),
    ("number 10", FILTER, "a eq 10", "valid (JSON number)"),
    ("not(...) without space", FILTER, "not(title pr)", 'valid (*1"not" "(" FILTER ")")'),
    ("literal TRUE", FILTER, "a eq TRUE", "invalid (RFC 7159 literals are lower-case)"),
    ("Entra: x[f].sub eq v", FILTER, 'emails[type eq "work"].value eq "x"', "invalid (not in the ABNF)"),
    ("PATCH path = attrExp", PATH, 'userName eq "x"', "invalid (errata 7122 would allow it)"),
]

# --------------------------------------------------------------------------- adapters


@dataclasses.dataclass
class Library:
    """One parser under test: how to call it and how to read its tree as ours."""

    name: str
    version: str
    parse_filter: Callable[[str], Any]
    parse_path: Callable[[str], Any] | None
    errors: tuple[type[BaseException], ...]
    import_statement: str
    timed: dict[str, Callable[[str], Any]]  # label -> callable(text) for the speed table

    def parse(self, kind: str, text: str) -> Any:
        if kind == PATH:
            if self.parse_path is None:
                raise NotImplementedError("no PATCH-path parser")
            return self.parse_path(text)
        return self.parse_filter(text)


class Unexpected:
    """A node that has no counterpart in our tree (never equal to an expected tree)."""

    def __init__(self, description: str) -> None:
        self.description = description

    def __repr__(self) -> str:
        return f"<{self.description}>"


def ours() -> Library:
    return Library(
        name="ours",
        version=f"scim_provisioning {OUR_VERSION}",
        parse_filter=parse_filter,
        parse_path=parse_patch_path,
        errors=(FilterSyntaxError,),
        import_statement="import scim_provisioning.filter_parser",
        timed={"ours": parse_filter},
    )


def scim2_models() -> Library | None:
    try:
        from scim2_models import InvalidFilterException, InvalidPathException, ScimFilter
        from scim2_models import Path as ScimPath
        from scim2_models.path import expressions as sm
        from scim2_models.path import grammar
    except ImportError:
        return None

    def attr(node: Any) -> AttrPath:
        return AttrPath(node.uri, node.attr, node.sub_attr)

    def tree(node: Any) -> Any:
        if isinstance(node, sm.Comparison):
            return Compare(attr(node.attr_path), node.op.value, node.value)
        if isinstance(node, sm.Present):
            return Present(attr(node.attr_path))
        if isinstance(node, sm.Not):
            return Not(tree(node.expr))
        if isinstance(node, sm.LogicalExpr):  # n-ary and flattened: fold left, as "and"/"or" associate
            binary = And if node.op == sm.LogicalOperator.and_ else Or
            return functools.reduce(binary, map(tree, node.terms))
        if isinstance(node, sm.ValuePath) and node.sub_attr is None:
            return ValuePath(attr(node.attr_path), tree(node.val_filter))
        return Unexpected(repr(node))

    def path_tree(node: Any) -> Any:
        if node is None:
            return Unexpected("resource root")
        if isinstance(node, sm.AttrPath):
            return PatchPath(attr(node))
        if isinstance(node, sm.ValuePath):
            return PatchPath(attr(node.attr_path), tree(node.val_filter), node.sub_attr)
        return Unexpected(f"attrExp {tree(node)!r}")

    def cold_filter(text: str) -> Any:
        grammar._cached_filter.cache_clear()
        return ScimFilter(text).ast

    def cold_path(text: str) -> Any:
        grammar._cached_path.cache_clear()
        return ScimPath(text).ast

    return Library(
        name="scim2-models",
        version=versions("scim2-models", "lark", "pydantic"),
        parse_filter=lambda text: tree(ScimFilter(text).ast),
        parse_path=lambda text: path_tree(ScimPath(text).ast),
        errors=(InvalidFilterException, InvalidPathException),
        import_statement="import scim2_models",
        timed={
            "scim2-models, new string": cold_filter,
            "scim2-models, cached": lambda text: ScimFilter(text).ast,
        },
    )


def scim2_filter_parser() -> Library | None:
    try:
        from scim2_filter_parser import ast
        from scim2_filter_parser.lexer import SCIMLexer
        from scim2_filter_parser.parser import SCIMParser, SCIMParserError
    except ImportError:
        return None

    def attr(node: Any) -> Any:
        if not isinstance(node.attr_name, str):
            return Unexpected(f"value path used as an attribute: {node.attr_name!r}")
        return AttrPath(node.uri, node.attr_name, node.sub_attr.value if node.sub_attr else None)

    def tree(node: Any) -> Any:
        if isinstance(node, ast.Filter):
            inner = tree(node.expr)
            if node.namespace is not None:
                inner = ValuePath(attr(node.namespace), inner)
            return Not(inner) if node.negated else inner
        if isinstance(node, ast.LogExpr):
            binary = And if node.op.lower() == "and" else Or
            return binary(tree(node.expr1), tree(node.expr2))
        if isinstance(node, ast.AttrExpr):
            if node.value.lower() == "pr":
                return Present(attr(node.attr_path))
            # CompValue keeps the token text: 1, "1" and true come out as the strings "1", "1", "true".
            return Compare(attr(node.attr_path), node.value.lower(), node.comp_value.value)
        return Unexpected(repr(node))

    def parse(text: str) -> Any:
        return SCIMParser().parse(SCIMLexer().tokenize(text))

    def path_tree(text: str) -> Any:
        node = tree(parse(text))
        if isinstance(node, ValuePath):  # the only PATH form its filter grammar reads
            return PatchPath(node.path, node.filter)
        return Unexpected(f"filter {node!r}")

    return Library(
        name="scim2-filter-parser",
        version=versions("scim2-filter-parser", "sly"),
        parse_filter=lambda text: tree(parse(text)),
        parse_path=path_tree,
        errors=(SCIMParserError, ValueError),  # the lexer raises ValueError on an illegal character
        import_statement="import scim2_filter_parser.parser",
        timed={"scim2-filter-parser": parse},
    )


def versions(*distributions: str) -> str:
    return ", ".join(f"{name} {importlib.metadata.version(name)}" for name in distributions)


# --------------------------------------------------------------------------- correctness


def canonical(node: Any, typed: bool = True) -> Any:
    """A comparable form of a tree; literal values carry their type unless ``typed`` is false."""
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        return (type(node).__name__,) + tuple(
            canonical(getattr(node, field.name), typed) for field in dataclasses.fields(node)
        )
    if isinstance(node, Unexpected):
        return ("unexpected", node.description)
    if typed:
        return (type(node).__name__, node)
    return node if isinstance(node, str) else json.dumps(node)


@dataclasses.dataclass
class Score:
    exact: int = 0
    shape_only: int = 0  # right tree, literal types lost
    different: int = 0
    rejected_valid: int = 0
    crashed_valid: int = 0
    rejected: int = 0
    accepted_invalid: int = 0
    crashed_invalid: int = 0
    failures: list[str] = dataclasses.field(default_factory=list)
    messages: dict[tuple[str, str], str] = dataclasses.field(default_factory=dict)


def outcome(library: Library, kind: str, text: Any) -> tuple[str, Any]:
    """("ok", tree) | ("rejected", message) | ("crashed", message)."""
    try:
        return "ok", library.parse(kind, text)
    except library.errors as exc:
        return "rejected", str(exc)
    except Exception as exc:  # a crash is a result here
        return "crashed", f"{type(exc).__name__}: {str(exc)[:120]}"


def score(library: Library) -> Score:
    result = Score()
    for group, kind, text, expected in valid_cases():
        status, got = outcome(library, kind, text)
        if status == "ok" and canonical(got) == canonical(expected):
            result.exact += 1
            continue
        if status == "ok" and canonical(got, typed=False) == canonical(expected, typed=False):
            result.shape_only += 1
            result.failures.append(f"valid   {group:20} {text!r}: value types lost -> {got!r}")
            continue
        if status == "ok":
            result.different += 1
        elif status == "rejected":
            result.rejected_valid += 1
        else:
            result.crashed_valid += 1
        result.failures.append(f"valid   {group:20} {text!r}: {status} -> {got!r}"[:300])
    for group, kind, text in invalid_cases():
        status, got = outcome(library, kind, text)
        if status == "rejected":
            result.rejected += 1
            result.messages[kind, repr(text)] = got
            continue
        if status == "ok":
            result.accepted_invalid += 1
        else:
            result.crashed_invalid += 1
        result.messages[kind, repr(text)] = f"[{status}] {got!r}"
        result.failures.append(f"invalid {group:20} {text!r}: {status} -> {got!r}"[:300])
    return result


def print_correctness(libraries: list[Library], show_errors: bool) -> None:
    n_valid, n_invalid = len(valid_cases()), len(invalid_cases())
    print(f"\n## Correctness: {n_valid} valid and {n_invalid} invalid inputs from tests/test_filter_parser.py\n")
    scores = {library.name: score(library) for library in libraries}
    rows = [
        ("valid: same tree, same value types", "exact"),
        ("valid: same tree, literal types lost", "shape_only"),
        ("valid: different tree", "different"),
        ("valid: rejected", "rejected_valid"),
        ("valid: crashed", "crashed_valid"),
        ("invalid: rejected with its own error", "rejected"),
        ("invalid: accepted", "accepted_invalid"),
        ("invalid: crashed (other exception)", "crashed_invalid"),
    ]
    table(
        [""] + [lib.name for lib in libraries],
        [[label] + [getattr(scores[lib.name], field) for lib in libraries] for label, field in rows],
    )
    for library in libraries:
        failures = scores[library.name].failures
        print(f"\n### {library.name}: {len(failures)} departures from the test tables")
        for line in failures:
            print("  " + line)

    print("\n## Probes outside the test tables\n")
    probe_rows = []
    for label, kind, text, rfc in PROBES:
        cells = []
        for library in libraries:
            status, got = outcome(library, kind, text)
            cells.append("accepts" if status == "ok" else status + (f" ({got[:38]})" if status == "crashed" else ""))
        probe_rows.append([label, rfc] + cells)
    table(["probe", "RFC grammar"] + [lib.name for lib in libraries], probe_rows)

    if show_errors:
        print("\n## Error messages for the invalid inputs\n")
        for _, kind, text in invalid_cases():
            print(f"{kind} {text!r}")
            for library in libraries:
                print(f"    {library.name:20} {scores[library.name].messages[kind, repr(text)]}")


# --------------------------------------------------------------------------- speed

SAMPLES = [
    ("simple", FILTER, 'userName eq "bjensen@example.com"'),
    ("medium", FILTER, 'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")'),
    (
        "value paths",
        FILTER,
        'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
    ),
    ("PATCH path", PATH, 'members[value eq "2819c223-7f76-453a-919d-413861904646"].displayName'),
]


def interleaved_us(
    functions: dict[str, Callable[[str], Any]], text: str, repeat: int, target_seconds: float
) -> dict[str, list[float]]:
    """Per parser, ``repeat`` timeit runs of one call each (µs), the parsers taking turns run by run.

    Taking turns keeps a change in the machine's load from favouring whichever parser ran first.
    """
    timers, numbers = {}, {}
    for label, function in functions.items():
        timers[label] = timeit.Timer(functools.partial(function, text))
        numbers[label] = 1
        while timers[label].timeit(numbers[label]) < target_seconds and numbers[label] < 1_000_000:
            numbers[label] *= 2
    runs: dict[str, list[float]] = {label: [] for label in functions}
    for round_ in range(repeat):
        labels = list(functions)
        for label in labels[round_ % len(labels) :] + labels[: round_ % len(labels)]:
            runs[label].append(timers[label].timeit(numbers[label]) / numbers[label] * 1e6)
    return runs


def timed_functions(library: Library, kind: str) -> dict[str, Callable[[str], Any]]:
    if kind == FILTER:
        return library.timed
    if library.parse_path is None:
        return {}
    if library.name == "scim2-models":
        from scim2_models import Path as ScimPath
        from scim2_models.path import grammar

        def cold(text: str) -> Any:
            grammar._cached_path.cache_clear()
            return ScimPath(text).ast

        return {"scim2-models, new string": cold, "scim2-models, cached": lambda text: ScimPath(text).ast}
    if library.name == "ours":
        return {"ours": parse_patch_path}
    return {library.name: library.parse_path}


# Standard-library modules any Django process has loaded already: preloading them gives the
# import cost that the parser itself adds to our server.
STDLIB_PRELOAD = "import collections, dataclasses, enum, functools, inspect, json, re, typing"


def import_ms(statements: list[str], preload: str = "", runs: int = 7) -> list[float]:
    """Median wall time (ms) of each statement in a fresh interpreter, the statements taking turns.

    One warm-up round first, so that every .pyc file exists.
    """
    times: list[list[float]] = [[] for _ in statements]
    for _ in range(runs + 1):
        for index, statement in enumerate(statements):
            code = f"{preload}\nimport time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
            out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
            times[index].append(float(out.stdout.strip().splitlines()[-1]) * 1000)
    return [statistics.median(each[1:]) for each in times]


def print_speed(libraries: list[Library], repeat: int, target_seconds: float) -> None:
    print(f"\n## Speed: median µs per parse ({repeat} timeit runs of ~{target_seconds * 1000:.0f} ms each)\n")
    for label, _, text in SAMPLES:
        print(f"  {label:12} {text}")
    row_labels = [label for library in libraries for label in timed_functions(library, FILTER)]
    medians: dict[str, list[str]] = {label: [] for label in row_labels}
    ratios: dict[str, list[str]] = {label: [] for label in row_labels}
    for _, kind, text in SAMPLES:
        functions: dict[str, Callable[[str], Any]] = {}
        for library in libraries:
            status, _ = outcome(library, kind, text)
            for label, function in timed_functions(library, kind).items():
                if status == "ok":  # time only what the library parses
                    functions[label] = function
                else:
                    medians[label].append(status)
                    ratios[label].append(status)
        runs = interleaved_us(functions, text, repeat, target_seconds)
        for label, times in runs.items():
            medians[label].append(f"{statistics.median(times):.1f}")
            # Each run's ratio to ours in the same round, then the median of those ratios.
            per_round = [mine / base for mine, base in zip(times, runs["ours"], strict=True)]
            ratios[label].append(f"{statistics.median(per_round):.2f}x")
    print()
    table(["parser"] + [label for label, _, _ in SAMPLES], [[label] + medians[label] for label in row_labels])
    print("\nThe same, as the median ratio to ours within each round:\n")
    table(["parser"] + [label for label, _, _ in SAMPLES], [[label] + ratios[label] for label in row_labels])

    print("\n## Import time: median ms in a fresh interpreter (7 runs)\n")
    print(f"  'after stdlib' preloads: {STDLIB_PRELOAD}\n")
    statements = [lib.import_statement for lib in libraries]
    cold, warm = import_ms(statements), import_ms(statements, STDLIB_PRELOAD)
    table(
        ["parser", "statement", "ms", "ms after stdlib"],
        [
            [lib.name, lib.import_statement, f"{cold[index]:.1f}", f"{warm[index]:.1f}"]
            for index, lib in enumerate(libraries)
        ],
    )


# --------------------------------------------------------------------------- main


def table(header: list[str], rows: list[list[Any]]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    for line in [header, ["-" * width for width in widths], *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="print every library's message for each invalid input")
    parser.add_argument("--quick", action="store_true", help="fewer, shorter timing repeats")
    parser.add_argument("--no-speed", action="store_true", help="correctness only")
    args = parser.parse_args()

    libraries = [lib for lib in (ours(), scim2_models(), scim2_filter_parser()) if lib is not None]
    print(f"Python {platform.python_version()} on {platform.machine()}")
    for library in libraries:
        print(f"  {library.name:20} {library.version}")
    missing = {"scim2-models", "scim2-filter-parser"} - {lib.name for lib in libraries}
    if missing:
        print(f"  not installed, skipped: {', '.join(sorted(missing))}")

    print_correctness(libraries, args.errors)
    if not args.no_speed:
        print_speed(libraries, repeat=9 if args.quick else 41, target_seconds=0.003 if args.quick else 0.01)


if __name__ == "__main__":
    main()
