"""No test asserts how long something took: speed depends on the machine, so it is measured by
``igo bench`` and recorded in docs/benchmarks.md, never asserted (a test that passed here failed on
a slower machine). A hang guard of minutes is fine when it says it is one ("hang guard" in the
assert or on the line above).

Two scans of every file under tests/, this one included: the line pattern below, on the code with
its string literals blanked (so this file's examples, which are strings, are not hits), and a
syntax-tree pass that finds comparisons where a clock reading (``time.monotonic()``,
``time.perf_counter()``...) or a difference of them is held under a bound.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
DURATION_ASSERT = re.compile(r"assert .*\b(seconds|elapsed|duration|wall|took)[a-z_]* *<")
DURATION_NAME = re.compile(r"^(seconds|elapsed|duration|wall|took)[a-z_]*$")
CLOCKS = {"monotonic", "perf_counter", "time", "process_time", "monotonic_ns", "perf_counter_ns"}
HANG_GUARD = "hang guard"


def _is_clock(node: ast.AST) -> bool:
    """A call such as ``time.monotonic()`` or ``perf_counter()``."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in CLOCKS


def _clock_differences(tree: ast.AST) -> set[str]:
    """Names assigned a difference that involves a clock reading (``t = monotonic() - t0``)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.BinOp):
            if isinstance(node.value.op, ast.Sub) and any(map(_is_clock, ast.walk(node.value))):
                names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def _timed(node: ast.AST, differences: set[str]) -> bool:
    """Whether ``node`` holds a clock reading or a measured duration."""
    for sub in ast.walk(node):
        if _is_clock(sub):
            return True
        if isinstance(sub, ast.Name) and (sub.id in differences or DURATION_NAME.match(sub.id)):
            return True
    return False


def _bounded_durations(tree: ast.AST, differences: set[str]) -> list[ast.Assert]:
    """Asserts that hold a clock reading or duration under a bound (``elapsed < 2``,
    ``monotonic() < deadline``, ``10 > elapsed``); ``monotonic() >= deadline`` is no speed claim."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assert):
            continue
        for compare in (n for n in ast.walk(node.test) if isinstance(n, ast.Compare)):
            operands = [compare.left, *compare.comparators]
            for i, op in enumerate(compare.ops):
                if isinstance(op, ast.Lt | ast.LtE):
                    smaller = operands[i]
                elif isinstance(op, ast.Gt | ast.GtE):
                    smaller = operands[i + 1]
                else:
                    continue
                if _timed(smaller, differences):
                    found.append(node)
    return found


def _guarded(lines: list[str], lineno: int, end: int) -> bool:
    text = "\n".join(lines[max(0, lineno - 2) : end]).lower()
    return HANG_GUARD in text


def _code_only(text: str) -> list[str]:
    """The lines of ``text`` with every string literal's characters turned into spaces (line
    breaks kept), so a pattern matches code and comments, not text quoted in the code."""
    lines = [list(line) for line in text.splitlines()]
    strings = (tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING))
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type not in strings:
            continue
        (row, col), (end_row, end_col) = token.start, token.end
        for r in range(row, end_row + 1):
            line = lines[r - 1]
            stop = end_col if r == end_row else len(line)
            line[col if r == row else 0 : stop] = " " * (stop - (col if r == row else 0))
    return ["".join(line) for line in lines]


def duration_asserts(text: str, name: str) -> list[str]:
    """``name:line: text`` of every assert in the source ``text`` that bounds a duration."""
    lines = text.splitlines()
    code = _code_only(text)
    found = {
        number: lines[number - 1].strip()
        for number, line in enumerate(code, 1)
        if DURATION_ASSERT.search(line) and not _guarded(lines, number, number)
    }
    tree = ast.parse(text, name)
    for node in _bounded_durations(tree, _clock_differences(tree)):
        if not _guarded(lines, node.lineno, node.end_lineno or node.lineno):
            found[node.lineno] = lines[node.lineno - 1].strip()
    return [f"{name}:{n}: {found[n]}" for n in sorted(found)]


def test_no_test_asserts_a_duration() -> None:
    found = [
        hit
        for path in sorted(TESTS.rglob("*.py"))
        for hit in duration_asserts(path.read_text(encoding="utf-8"), str(path.relative_to(TESTS)))
    ]
    assert not found, "durations asserted (measure them in igo bench):\n" + "\n".join(found)


# The examples spell the keyword through ``A`` so that no line of this file reads as a duration
# assertion to a plain text search (the scan itself blanks string literals).
A = "assert"


@pytest.mark.parametrize(
    "source",
    [
        f"def f():\n    {A} seconds < 60.0\n",
        f"def f():\n    {A} took_s <= 2\n",
        "def f():\n    t0 = time.monotonic()\n    dt = time.monotonic() - t0\n    assert dt < 1\n",
        "def f():\n    start = perf_counter()\n    assert perf_counter() - start < 10\n",
        "def f():\n    assert time.monotonic() < deadline\n",
        "def f():\n    assert 10 > time.perf_counter() - start\n",
    ],
)
def test_the_scan_finds_each_kind(source: str) -> None:
    assert duration_asserts(source, "case.py"), source


@pytest.mark.parametrize(
    "source",
    [
        "def f():\n    assert clock.budget_seconds(100) < 30 / 5\n",
        "def f():\n    assert time.monotonic() >= session.deadline\n",
        "def f():\n    assert time.monotonic() < deadline, 'hang guard: it never came'\n",
        "def f():\n    # a hang guard of ten minutes\n    assert time.monotonic() < deadline\n",
        "def f():\n    assert 0.0 < budget < 0.6 * period\n",
    ],
)
def test_the_scan_passes_budgets_lower_bounds_and_hang_guards(source: str) -> None:
    assert not duration_asserts(source, "case.py"), source


def test_the_line_scan_skips_quoted_text_but_not_the_code_beside_it() -> None:
    quoted = f'EXAMPLES = [\n    "{A} seconds < 60.0",\n    """\n{A} took_s <= 2\n""",\n]\n'
    assert not duration_asserts(quoted, "case.py")
    both = f'def f():\n    {A} wall_s < 5, "{A} seconds < 60"\n'
    assert duration_asserts(both, "case.py") == [f'case.py:2: {A} wall_s < 5, "{A} seconds < 60"']
