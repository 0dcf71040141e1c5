"""Issue 17's per-idea table: each arm of ``benchmarks/zero_ablation/`` trained at one self-play
budget, then every arm's last network rated against one fixed opponent (docs/zero.md, "Each idea
measured").

The arms (``A-2017``, ``B-kata-heads``, ``C-gumbel``, ``D-mixed``) are ``igo zero`` presets that
differ from the arm before by one idea (tests/bench/test_zero_ablation.py). Stage 1 runs
``igo zero`` on each arm with the same games per generation and generations, ``--parallel`` arms
at once, in ``OUT/<arm>``; each invocation's process CPU time (user + system, from ``wait4``:
self-play and training, one process, one torch thread) is appended to ``OUT/<arm>/cpu.json``.
Stage 2 plays each arm's last network (``igo:player=mcts``, a Zero-mode PUCT search of
``--rate-visits``, the same for every arm) against ``--opponent``, colours alternated, in
``OUT/rating.sqlite``, and, with ``--h2h-games``, every pair of arms against each other. Then it
writes ``OUT/summary-g<generations>x<games>.md`` and ``.json`` (one per budget).

Everything resumes: ``igo zero`` resumes a killed run, an arm whose last generation exists is not
run again, and a pairing plays only the games it still misses. A bigger budget is the same command
with a new ``--out`` (or, on the same ``--out``, more ``--generations``):

    python benchmarks/zero_ablation.py --out runs/zero-ablation --games-per-generation 64 \\
        --generations 4 --rate-games 40 --opponent gnugo:level=1
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from igo.eval.arena import MatchConfig, run_match
from igo.eval.engines import parse_engine_spec
from igo.eval.store import ArenaStore, games_between
from igo.eval.summary import elo_from_score, wilson_interval
from igo.files import write_text_atomic
from igo.run_dir import ZeroRunDir

ARMS_DIR = Path(__file__).resolve().parent / "zero_ablation"
ARMS = ("A-2017", "B-kata-heads", "C-gumbel", "D-mixed")
"""Every arm, in order: each is the one before plus one idea."""


@dataclass(frozen=True)
class Budget:
    """What every arm gets: the same self-play games and generations."""

    games_per_generation: int
    """Self-play games before each training phase."""
    generations: int
    """Generations to run: the rated network is generation ``generations``."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not usage + message
        self.exit(2, f"zero_ablation: error: {message}\n")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line; every bad value is one line on stderr and exit status 2."""
    p = _Parser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--out", required=True, help="folder of the arms' runs and the rating")
    p.add_argument("--arms", default="A,B,C", help="arms by letter, e.g. A,B,C,D")
    p.add_argument("--games-per-generation", type=int, default=64)
    p.add_argument("--generations", type=int, default=4)
    p.add_argument("--parallel", type=int, default=2, help="arms trained at once")
    p.add_argument("--opponent", default="gnugo:level=1", help="the fixed opponent's engine spec")
    p.add_argument("--rate-games", type=int, default=40, help="games of each arm vs the opponent")
    p.add_argument("--rate-visits", type=int, default=64, help="simulations a move when rated")
    p.add_argument("--h2h-games", type=int, default=0, help="games of each pair of arms")
    p.add_argument("--jobs", type=int, default=2, help="rating games at once")
    p.add_argument("--stage", choices=("all", "train", "rate", "summary"), default="all")
    args = p.parse_args(argv)
    for name in ("games_per_generation", "generations", "parallel", "rate_visits", "jobs"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.rate_games < 0 or args.h2h_games < 0:
        p.error("--rate-games and --h2h-games must be at least 0")
    try:
        args.arms = select_arms(args.arms)
        parse_engine_spec(args.opponent)
    except ValueError as err:
        p.error(str(err))
    return args


def select_arms(text: str) -> list[str]:
    """``"A,C"`` -> the arms' names, in the table's order; ValueError names a bad letter."""
    letters = [part.strip().upper() for part in text.split(",") if part.strip()]
    by_letter = {arm[0]: arm for arm in ARMS}
    bad = [letter for letter in letters if letter not in by_letter]
    if bad or not letters:
        raise ValueError(f"--arms: unknown arm {','.join(bad) or text!r}; choose from A, B, C, D")
    return [arm for arm in ARMS if arm[0] in letters]


def arm_preset(arm: str) -> Path:
    """The arm's ``igo zero`` preset file."""
    return ARMS_DIR / f"{arm}.toml"


def zero_command(arm: str, out: Path, budget: Budget) -> list[str]:
    """The ``igo zero`` invocation that trains (or resumes) ``arm`` in ``out/arm``."""
    return [
        *(sys.executable, "-m", "igo", "zero", "--preset", str(arm_preset(arm))),
        *("--run-dir", str(out / arm), "--no-progress"),
        *("--games-per-generation", str(budget.games_per_generation)),
        *("--generations", str(budget.generations)),
    ]


def trained(out: Path, arm: str, budget: Budget) -> bool:
    """Whether the arm's rated network (generation ``budget.generations``) exists."""
    return ZeroRunDir(out / arm).model_path(budget.generations).is_file()


def train_arms(out: Path, arms: list[str], budget: Budget, parallel: int) -> None:
    """Run ``igo zero`` on every arm not yet trained, ``parallel`` at once, logging CPU time.

    Raises:
        RuntimeError: an arm's run failed (its log's last line says why).
    """
    todo = [arm for arm in arms if not trained(out, arm, budget)]
    running: dict[int, tuple[str, float]] = {}
    failed: list[str] = []
    while todo or running:
        while todo and len(running) < parallel:
            arm = todo.pop(0)
            (out / arm).mkdir(parents=True, exist_ok=True)
            with open(out / f"{arm}.log", "ab") as log:
                child = subprocess.Popen(zero_command(arm, out, budget), stdout=log, stderr=log)
            running[child.pid] = (arm, time.perf_counter())
            print(f"{arm}: training ({budget.generations} generations)", flush=True)
        pid, status, usage = os.wait4(-1, 0)
        if pid not in running:
            continue
        arm, started = running.pop(pid)
        cpu = usage.ru_utime + usage.ru_stime
        record_cpu(out / arm, cpu, time.perf_counter() - started, os.waitstatus_to_exitcode(status))
        print(f"{arm}: exit {os.waitstatus_to_exitcode(status)}, {cpu:.0f} CPU s", flush=True)
        if os.waitstatus_to_exitcode(status) != 0:
            failed.append(arm)
    if failed:
        raise RuntimeError(f"igo zero failed on {', '.join(failed)} (see {out}/<arm>.log)")


def record_cpu(run: Path, cpu: float, wall: float, code: int) -> None:
    """Append one invocation's process CPU and wall seconds to ``run/cpu.json``."""
    path = run / "cpu.json"
    rows = json.loads(path.read_text()) if path.is_file() else []
    generation = json.loads((run / "state.json").read_text())["generation"]
    rows.append(
        {
            "cpu_s": round(cpu, 1),
            "wall_s": round(wall, 1),
            "exit": code,
            "generation_after": generation,
        }
    )
    write_text_atomic(path, json.dumps(rows, indent=1) + "\n")


def arm_spec(out: Path, arm: str, budget: Budget, visits: int) -> str:
    """The engine spec that plays the arm's rated network (same search for every arm)."""
    path = ZeroRunDir(out / arm).model_path(budget.generations)
    name = f"{arm}-g{budget.generations}x{budget.games_per_generation}-v{visits}"
    return f"igo:player=mcts,checkpoint={path},visits={visits},threads=1,name={name}"


def pairings(args: argparse.Namespace, budget: Budget) -> list[tuple[str, str, int]]:
    """(first spec, second spec, games): every arm against the opponent, then every pair."""
    out = Path(args.out)
    specs = [arm_spec(out, arm, budget, args.rate_visits) for arm in args.arms]
    pairs = [(spec, args.opponent, args.rate_games) for spec in specs]
    for i, first in enumerate(specs):
        pairs += [(first, second, args.h2h_games) for second in specs[i + 1 :]]
    return [pair for pair in pairs if pair[2] > 0]


def rate_arms(args: argparse.Namespace, budget: Budget) -> None:
    """Play each pairing's missing games into ``OUT/rating.sqlite``."""
    db = Path(args.out) / "rating.sqlite"
    for first, second, games in pairings(args, budget):
        names = parse_engine_spec(first).name, parse_engine_spec(second).name
        missing = games - games_between(db, *names)
        if missing <= 0:
            continue
        print(f"rating: {names[0]} vs {names[1]}, {missing} games", flush=True)
        config = MatchConfig(
            games=missing, size=9, rules="chinese", komi=7.0, jobs=args.jobs, db=str(db)
        )
        run_match(first, second, config)


def arm_counters(run: Path, generations: int) -> dict[str, float]:
    """Self-play games, positions and wall seconds of the generations before ``generations``
    (``state.json``), and the process CPU seconds of the invocations that trained them
    (``cpu.json``; each invocation ends at a generation, so a run extended from 2 to 5
    generations still reports generation 2's budget)."""
    state = json.loads((run / "state.json").read_text()) if (run / "state.json").is_file() else {}
    history = [e for e in state.get("history", []) if int(e["generation"]) < generations]
    cpu_path = run / "cpu.json"
    cpu_rows = json.loads(cpu_path.read_text()) if cpu_path.is_file() else []
    cpu_rows = [row for row in cpu_rows if int(row["generation_after"]) <= generations]
    return {
        "games": sum(int(entry.get("selfplay.games", 0)) for entry in history),
        "positions": sum(int(entry.get("selfplay.positions", 0)) for entry in history),
        "selfplay_wall_s": sum(
            3600 * float(e.get("selfplay.positions", 0)) / float(e["selfplay.positions_per_hour"])
            for e in history
            if float(e.get("selfplay.positions_per_hour", 0)) > 0
        ),
        "train_steps": len(train_rows(run, generations)),
        "train_wall_s": sum(train_rows(run, generations)),
        "cpu_s": sum(float(row["cpu_s"]) for row in cpu_rows),
        "wall_s": sum(float(row["wall_s"]) for row in cpu_rows),
    }


def train_rows(run: Path, generations: int) -> list[float]:
    """Wall seconds of each training step that made generations 1..``generations``, from
    ``logs/train.csv``'s samples per second (the loop logs no CPU time per phase; on a loaded
    machine wall time bounds it from above)."""
    path, config = run / "logs" / "train.csv", run / "config.json"
    if not path.is_file() or not config.is_file():
        return []
    train = json.loads(config.read_text())["config"]["train"]
    last = generations * int(train["steps_per_generation"])
    with open(path, newline="") as rows:
        return [
            int(train["batch_size"]) / float(row["samples_per_s"])
            for row in csv.DictReader(rows)
            if int(row["step"]) <= last
        ]


def score_against(rows: list[Any], name: str, opponent: str) -> dict[str, float]:
    """Wins, draws, losses of ``name`` against ``opponent``; the score's 95% Wilson interval and
    the logistic Elo of the score and of the interval's ends."""
    wins = draws = losses = 0
    for row in rows:
        if {row.black, row.white} != {name, opponent}:
            continue
        if row.winner is None:
            draws += 1
        elif (row.black if row.winner == "B" else row.white) == name:
            wins += 1
        else:
            losses += 1
    games = wins + draws + losses
    points = wins + 0.5 * draws
    low, high = wilson_interval(points, games)
    score = points / games if games else float("nan")
    return {
        "wins": wins,
        "draws": draws,
        "losses": losses,
        "games": games,
        "score": score,
        "low": low,
        "high": high,
        "elo": elo_from_score(score) if games else float("nan"),
        "elo_low": elo_from_score(low),
        "elo_high": elo_from_score(high),
    }


def summarise(args: argparse.Namespace, budget: Budget) -> dict[str, Any]:
    """Every arm's counters and scores, from the run folders and the rating database."""
    out = Path(args.out)
    db = out / "rating.sqlite"
    rows: list[Any] = []
    if db.is_file():
        with ArenaStore(db) as store:
            rows = store.games()
    opponent = parse_engine_spec(args.opponent).name
    names = {
        arm: parse_engine_spec(arm_spec(out, arm, budget, args.rate_visits)).name
        for arm in args.arms
    }
    arms = []
    for arm in args.arms:
        entry: dict[str, Any] = {"arm": arm, **arm_counters(out / arm, budget.generations)}
        entry["vs_opponent"] = score_against(rows, names[arm], opponent)
        entry["head_to_head"] = {
            other: score_against(rows, names[arm], names[other])
            for other in args.arms
            if other != arm
        }
        arms.append(entry)
    return {
        "budget": vars(budget),
        "opponent": args.opponent,
        "rate_visits": args.rate_visits,
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
        "arms": arms,
    }


def _elo(value: float) -> str:
    return f"{value:+.0f}" if abs(value) != float("inf") else ("+inf" if value > 0 else "-inf")


def format_summary(summary: dict[str, Any]) -> str:
    """The per-idea table (Markdown), then the head-to-head scores."""
    budget = summary["budget"]
    lines = [
        f"Budget per arm: {budget['generations']} generations of {budget['games_per_generation']}"
        f" self-play games; rated against {summary['opponent']} with a {summary['rate_visits']}"
        f"-visit PUCT search, 9x9, komi 7, Chinese ({summary['date']}).",
        "",
        "| arm | games | positions | CPU h (self-play + training) | score vs opponent (W-D-L)"
        " | 95% interval | Elo (95%) |",
        "|---|---:|---:|---:|---|---|---|",
    ]
    for arm in summary["arms"]:
        s = arm["vs_opponent"]
        score = f"{100 * s['score']:.1f}% ({s['wins']}-{s['draws']}-{s['losses']})"
        lines.append(
            f"| {arm['arm']} | {arm['games']} | {arm['positions']} | {arm['cpu_s'] / 3600:.2f} |"
            f" {score} | [{100 * s['low']:.1f}-{100 * s['high']:.1f}] |"
            f" {_elo(s['elo'])} [{_elo(s['elo_low'])}, {_elo(s['elo_high'])}] |"
        )
    pairs = [(a["arm"], b, s) for a in summary["arms"] for b, s in a["head_to_head"].items()]
    shown = [(a, b, s) for a, b, s in pairs if s["games"] and a < b]
    if shown:
        lines += [
            "",
            "| head to head | games | first's score (W-D-L) | 95% interval |",
            "|---|---:|---|---|",
        ]
        for a, b, s in shown:
            lines.append(
                f"| {a} vs {b} | {s['games']} | {100 * s['score']:.1f}%"
                f" ({s['wins']}-{s['draws']}-{s['losses']}) |"
                f" [{100 * s['low']:.1f}-{100 * s['high']:.1f}] |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = Path(args.out)
    budget = Budget(args.games_per_generation, args.generations)
    try:
        if args.stage in ("all", "train"):
            train_arms(out, args.arms, budget, args.parallel)
        if args.stage in ("all", "rate"):
            missing = [arm for arm in args.arms if not trained(out, arm, budget)]
            if missing:
                raise ValueError(f"not trained yet: {', '.join(missing)} (run --stage train)")
            rate_arms(args, budget)
    except (ValueError, RuntimeError) as err:
        print(f"zero_ablation: error: {err}", file=sys.stderr)
        return 1
    summary = summarise(args, budget)
    stem = f"summary-g{budget.generations}x{budget.games_per_generation}"
    write_text_atomic(out / f"{stem}.json", json.dumps(summary, indent=1) + "\n")
    write_text_atomic(out / f"{stem}.md", format_summary(summary))
    print(format_summary(summary), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
