"""Gating: the trained candidate replaces the best network only if it beats it.

AlphaGo Zero (Silver et al. 2017, Methods "Evaluator") played 400 games and kept a candidate
that won at least 55% of them; AlphaZero dropped the gate. Here ``mode`` picks one of:

- ``winrate``: ``num_games`` games; accepted if the candidate's score (draws half) is at least
  ``win_rate``.
- ``sprt``: a sequential test (``igo.eval.sprt``, H0: elo0, H1: elo1) after every game; the match
  stops as soon as it decides, and falls back to ``winrate`` if ``num_games`` pass first.
- ``none``: every candidate is accepted without a game.

The games are played in this process, both networks batched (``igo.selfplay.net_match``), with
colours alternating, each network searching by ``GateConfig.search`` (by default no noise,
greedy after a few sampled opening moves). A run on a mix of sizes gates on the same mix: each
game draws its size (and komi) by weight from the match's seeded stream, and the result keeps
the candidate's wins, losses and draws on each size (``GateResult.by_size``) besides the total
the gate decides on.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from tqdm import tqdm

from igo.agents.net_evaluator import ZeroNetEvaluator
from igo.eval.sprt import Sprt
from igo.files import write_text_atomic
from igo.nn.checkpoint import load_checkpoint
from igo.nn.net import Net
from igo.nn.precision import CHOICES
from igo.nn.threads import torch_threads
from igo.run_dir import ZeroRunDir
from igo.selfplay.net_match import MatchGame, play_match
from igo.selfplay.selfplay_config import SelfPlayConfig
from igo.train.zero.loop_config import GateConfig, ZeroConfig


@dataclass(frozen=True)
class GateResult:
    """The outcome of one gating match."""

    candidate: int
    """The candidate's generation."""
    best: int
    """The defending best network's generation."""
    mode: str
    """winrate, sprt or none."""
    games: int
    """Games played."""
    wins: int
    """The candidate's wins."""
    losses: int
    """The candidate's losses."""
    draws: int
    """Drawn games."""
    accepted: bool
    """Whether the candidate becomes the best."""
    llr: float | None = None
    """sprt: the final log-likelihood ratio."""
    seconds: float = 0.0
    """Wall time of the match."""
    by_size: dict[str, list[int]] = field(default_factory=dict)
    """A mix of sizes: ``"9x9"`` -> the candidate's [wins, losses, draws] on that size, for
    every size of the mix; empty for a one-size run (and in records written before mixes)."""

    @property
    def score(self) -> float:
        """The candidate's score (draws half); 0.5 with no game."""
        return (self.wins + 0.5 * self.draws) / self.games if self.games else 0.5

    def size_scores(self) -> dict[str, float]:
        """The candidate's score (draws half) on each size of a mix; NaN where none was played."""
        scores = {}
        for name, (won, lost, drawn) in self.by_size.items():
            games = won + lost + drawn
            scores[name] = (won + 0.5 * drawn) / games if games else math.nan
        return scores

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields, the score included."""
        return {**asdict(self), "score": self.score}


def decide(
    config: GateConfig, wins: int, draws: int, losses: int
) -> tuple[bool | None, float | None]:
    """The gate's decision so far: (True accept / False reject / None play on, the sprt LLR)."""
    games = wins + draws + losses
    if config.mode == "none":
        return True, None
    llr = None
    if config.mode == "sprt":
        test = Sprt(config.sprt_elo0, config.sprt_elo1, config.sprt_alpha, config.sprt_beta)
        llr, verdict = test.decide(wins, draws, losses)
        if verdict is not None:
            return verdict == "H1", llr
    if games < config.num_games:
        return None, llr
    return (wins + 0.5 * draws) / games >= config.win_rate, llr


class _Tally:
    """The match so far: counts each game until the gate decides (a sequential test stops there;
    games that finish after the decision are not counted)."""

    def __init__(self, config: GateConfig, bar: tqdm, sizes: tuple[int, ...]) -> None:
        self.config, self.bar = config, bar
        self.counts = {"wins": 0, "draws": 0, "losses": 0}
        self.by_size = {size_name(n): [0, 0, 0] for n in sizes} if len(sizes) > 1 else {}
        self.games: list[MatchGame] = []
        self.verdict: tuple[bool | None, float | None] = (None, None)

    def add(self, game: MatchGame) -> None:
        if self.verdict[0] is not None:
            return
        self.counts[{1.0: "wins", 0.5: "draws", 0.0: "losses"}[game.first_score]] += 1
        if self.by_size:  # [wins, losses, draws], GateResult's order
            self.by_size[size_name(game.board_size)][
                {1.0: 0, 0.0: 1, 0.5: 2}[game.first_score]
            ] += 1
        self.games.append(game)
        self.verdict = decide(self.config, *self.counts.values())
        self.bar.update(1)
        self.bar.set_postfix(self.counts)

    def decided(self) -> bool:
        return self.verdict[0] is not None


def play_gate(
    nets: tuple[Net, Net],
    generations: tuple[int, int],
    game_config: SelfPlayConfig,
    config: GateConfig,
    *,
    seed: int,
    resign_threshold: float,
    progress: bool = True,
) -> tuple[GateResult, list[MatchGame]]:
    """Play the candidate (``nets[0]``) against the best (``nets[1]``) and decide.

    Args:
        nets: (candidate, best).
        generations: their generations (candidate, best).
        game_config: board (or mix of sizes), rules, komi, scoring, device and batch size.
        config: the gate settings.
        seed: seeds the searches.
        resign_threshold: resign below this root value (used if ``config.resign``).
        progress: show a progress bar on stderr.

    Returns:
        The result and the games counted (their SGFs for the arena folder).
    """
    start = time.monotonic()
    candidate, best = generations
    if config.mode == "none":
        return GateResult(candidate, best, "none", 0, 0, 0, 0, True), []
    sizes = game_config.sizes
    evaluators = [
        ZeroNetEvaluator(
            net,
            game_config.device,
            game_config.eval_batch_size,
            "random",
            seed + i,
            CHOICES[game_config.precision],
        )
        for i, net in enumerate(nets)
    ]
    desc = f"gate gen {candidate} vs {best}"
    with tqdm(
        total=config.num_games,
        desc=desc,
        unit="game",
        disable=not progress,
        leave=False,
        dynamic_ncols=True,
    ) as bar:
        tally = _Tally(config, bar, sizes)
        play_match(
            (evaluators[0], evaluators[1]),
            game_config,
            config.search,
            config.num_games,
            parallel_games=config.parallel_games,
            seed=seed,
            resign_threshold=resign_threshold if config.resign else -1.0,
            names=(f"igo-zero gen {candidate}", f"igo-zero gen {best}"),
            on_game=tally.add,
            should_stop=tally.decided,
        )
    counts, (accepted, llr) = tally.counts, tally.verdict
    result = GateResult(
        candidate,
        best,
        config.mode,
        len(tally.games),
        counts["wins"],
        counts["losses"],
        counts["draws"],
        bool(accepted),
        llr,
        time.monotonic() - start,
        tally.by_size,
    )
    return result, tally.games


def size_name(size: int) -> str:
    """A board size as the keys of ``GateResult.by_size`` name it (``9x9``)."""
    return f"{size}x{size}"


def describe_sizes(result: GateResult) -> str:
    """A mixed gate's wins-losses-draws on each size (`` (9x9 4-2-0, 13x13 1-1-0)``); empty for
    one size."""
    parts = [f"{name} {won}-{lost}-{drawn}" for name, (won, lost, drawn) in result.by_size.items()]
    return f" ({', '.join(parts)})" if parts else ""


def gate_candidate(
    config: ZeroConfig,
    run_dir: ZeroRunDir,
    generations: tuple[int, int],
    resign_threshold: float,
    progress: bool = True,
) -> GateResult:
    """The gating match of ``generations`` (candidate, best) of the run: read back from
    ``arena/gating.jsonl`` if it was played to the end, else played (seeded by the run's seed
    and the candidate) and recorded."""
    candidate, best = generations
    result = recorded_gate(run_dir, candidate)
    if result is not None:
        return result
    nets = (
        load_checkpoint(run_dir.model_path(candidate)),
        load_checkpoint(run_dir.model_path(best)),
    )
    seed = int(np.random.SeedSequence([config.seed, candidate, 7]).generate_state(1)[0])
    with torch_threads(config.selfplay.torch_threads):
        result, games = play_gate(
            nets,
            generations,
            config.selfplay,
            config.gate,
            seed=seed,
            resign_threshold=resign_threshold,
            progress=progress,
        )
    record_gate(run_dir, result, games)
    return result


def read_gate_records(run_dir: ZeroRunDir) -> list[dict[str, Any]]:
    """Every gating match recorded in the run's ``arena/gating.jsonl``, oldest first."""
    path = run_dir.gating_path
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def recorded_gate(run_dir: ZeroRunDir, candidate: int) -> GateResult | None:
    """The recorded result of ``candidate``'s gating match, if it was played to the end."""
    for record in read_gate_records(run_dir):
        if record["candidate"] == candidate:
            return GateResult(**{k: v for k, v in record.items() if k != "score"})
    return None


def record_gate(run_dir: ZeroRunDir, result: GateResult, games: list[MatchGame]) -> None:
    """Write the match's SGFs, then its line of ``arena/gating.jsonl`` (both atomically; a match
    is recorded once its line is there)."""
    folder = run_dir.gate_sgf_dir(result.candidate)
    folder.mkdir(parents=True, exist_ok=True)
    for game in games:
        write_text_atomic(folder / f"game-{game.index:06d}.sgf", game.sgf)
    lines = [
        json.dumps(r) for r in read_gate_records(run_dir) if r["candidate"] != result.candidate
    ]
    lines.append(json.dumps(result.to_dict()))
    write_text_atomic(run_dir.gating_path, "\n".join(lines) + "\n")
