"""AlphaGoConfig: the whole AlphaGo (Lee) pipeline as one frozen dataclass, and its presets.

Stages in order (``igo.train.alphago.pipeline``): ``records`` (engine self-play SGF games) ->
``shards`` (SL training shards) -> ``rollout`` and ``tree`` (pattern policies) -> ``sl`` (SL policy
net) -> ``rl`` (RL policy net) -> ``value_data`` (one position per game) -> ``value`` (value net)
-> ``evaluate`` (an arena of the parts against GNU Go, Elo table, report). Presets are TOML files
``igo/configs/alphago-<name>.toml`` (shipped in the package): top-level keys are AlphaGoConfig
fields, tables its sections (``[records]``, ``[shards]``, ``[rollout]``, ``[sl]``, ``[rl]``,
``[value_data]``, ``[value]``, ``[evaluate]``). ``komi``, ``rules`` and ``seed`` are set once at
the top and reach every stage that has them (a section may not set its own). ``ALPHAGO_CONFIGS``
(``igo.train.config_loader``) reads, overrides, writes and checks them; every problem is one
:class:`ConfigError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass, replace

from igo.eval.engines import parse_engine_spec
from igo.go.coords import MAX_SIZE, MIN_SIZE
from igo.go.rules import rules_from_name
from igo.run_dir.alphago_layout import RECORDS, RECORDS_EXTRA
from igo.selfplay.value_data import ValueDataConfig
from igo.train.alphago.rl_policy_stage import RlConfig
from igo.train.alphago.sl_policy_stage import SlConfig
from igo.train.alphago.value_net_stage import ValueConfig
from igo.train.config_loader import ConfigError, ConfigLoader

STAGES = ("records", "shards", "rollout", "tree", "sl", "rl", "value_data", "value", "evaluate")
"""The pipeline's stages, in the order they run."""
SHARED = ("komi", "rules", "seed")
"""Top-level fields copied into every section that has a field of that name."""
RESUMABLE = frozenset(
    {
        "run_dir",
        "records.jobs",
        "records.move_timeout",
        "sl.torch_threads",
        "rl.torch_threads",
        "value_data.torch_threads",
        "value.torch_threads",
        "evaluate.*",
    }
)
"""Fields a resumed run may change: where and how fast it runs, not what it computes; and every
``evaluate.*`` field: new players or more games are played into the same arena."""


@dataclass(frozen=True)
class RecordsConfig:
    """The game records: an engine plays itself (``igo.data.generate``)."""

    engine: str = "gnugo:level=10"
    """Engine spec of the player (``igo match``'s: ``gnugo:level=N``, ``igo:player=...``)."""
    games: int = 3000
    """Games to play."""
    jobs: int = 2
    """Games played at once."""
    move_timeout: float = 120.0
    """Seconds the engine may think about one move before its game is abandoned."""
    extra_engine: str = ""
    """A second engine for more records in less time ("" for none): GNU Go level 3 plays a 9x9
    game about 5x faster than level 10."""
    extra_games: int = 0
    """Games the second engine plays (into ``records-extra/``)."""

    def __post_init__(self) -> None:
        if self.games < 1 or self.jobs < 1 or not self.move_timeout > 0:
            raise ValueError("games and jobs must be at least 1, move_timeout positive")
        if self.extra_games < 0 or (self.extra_games > 0) != bool(self.extra_engine):
            raise ValueError("extra_engine and extra_games > 0 go together")
        parse_engine_spec(self.engine)
        if self.extra_engine:
            parse_engine_spec(self.extra_engine)

    def sources(self) -> list[tuple[str, int, str]]:
        """(engine spec, games, folder in the run directory) of each record source."""
        extra = [(self.extra_engine, self.extra_games, RECORDS_EXTRA)] if self.extra_games else []
        return [(self.engine, self.games, RECORDS), *extra]


@dataclass(frozen=True)
class ShardsConfig:
    """The SL shards the records are imported into (``igo.data.records``)."""

    heldout: float = 0.05
    """Fraction of games held out (accuracy and value measures)."""
    shard_positions: int = 100_000
    """Positions after which a chunk of files is written out."""

    def __post_init__(self) -> None:
        if not 0.0 < self.heldout < 1.0 or self.shard_positions < 1:
            raise ValueError("heldout must be in (0, 1) and shard_positions at least 1")


@dataclass(frozen=True)
class PatternConfig:
    """The rollout and tree policies' fit (``rollout_policy_stage.py``), the same for both."""

    min_count: int = 3
    """A pattern joins the vocabulary once seen this often among training candidates."""
    epochs: int = 4
    """Passes over the training positions."""
    max_positions: int | None = None
    """Use at most this many training positions (None: all)."""

    def __post_init__(self) -> None:
        if self.min_count < 1 or self.epochs < 0:
            raise ValueError("min_count must be at least 1 and epochs at least 0")


@dataclass(frozen=True)
class EvaluateConfig:
    """The final arena: the parts alone, Lee-mode searches, and the opponent engine."""

    opponent: str = "gnugo:level=10"
    """Engine spec of the reference opponent; its Elo is 0 in the table."""
    games: int = 20
    """Games per pairing (colours alternate)."""
    visits: int = 800
    """Simulations per move of the main player (Lee mode, lambda ``lee_lambda``)."""
    lee_lambda: float = 0.5
    """The main player's weight of rollouts in Q (the paper: 0.5)."""
    sweep_visits: int = 200
    """Simulations per move of the lambda sweep's players."""
    lambdas: tuple[float, ...] = (0.0, 0.5, 1.0)
    """The lambda sweep (0: value net only, 1: rollouts only); empty: no sweep."""
    expand_threshold: int = 1
    """Visits of an edge before its child gets the SL network's priors (the paper: 40; see
    ``igo.agents.search_presets.EXPAND_THRESHOLD`` for why 1 here)."""
    c_puct: float = 5.0
    """Exploration constant of every search (the paper: 5)."""
    rollout: bool = True
    """Include the rollout policy alone (sampled, no search)."""
    sl: bool = True
    """Include the SL policy network alone (its most probable move)."""
    rl: bool = True
    """Include the RL policy network alone (its most probable move)."""
    neighbours: bool = True
    """Besides each player against the opponent, pair each player with the next in the list
    (rollout, SL, RL, sweep by lambda, main)."""
    jobs: int = 2
    """Pairings played at once (each one game at a time)."""
    move_timeout: float = 300.0
    """Seconds one move may take before the engine forfeits."""

    def __post_init__(self) -> None:
        if min(self.games, self.visits, self.sweep_visits, self.jobs) < 1:
            raise ValueError("games, visits, sweep_visits and jobs must be at least 1")
        if not all(0.0 <= x <= 1.0 for x in (self.lee_lambda, *self.lambdas)):
            raise ValueError("lee_lambda and lambdas must be in [0, 1]")
        if self.expand_threshold < 0 or not self.c_puct > 0 or not self.move_timeout > 0:
            raise ValueError("expand_threshold must be >= 0, c_puct and move_timeout positive")
        parse_engine_spec(self.opponent)


@dataclass(frozen=True)
class AlphaGoConfig:
    """An AlphaGo (Lee) run: records, patterns, policy and value networks, evaluation."""

    run_dir: str = "runs/alphago-9x9"
    """The run's folder (config, stages.json, data, networks, arena, report, logs)."""
    board_size: int = 9
    """Board size of every game and network."""
    komi: float = 7.0
    """Komi of every game (records, RL, value data, evaluation)."""
    rules: str = "chinese"
    """Rules preset of every game."""
    seed: int = 0
    """Seeds every stage."""
    records: RecordsConfig = field(default_factory=RecordsConfig)
    """The game records."""
    shards: ShardsConfig = field(default_factory=ShardsConfig)
    """Their import into SL shards."""
    rollout: PatternConfig = field(default_factory=PatternConfig)
    """The rollout and tree policies."""
    sl: SlConfig = field(default_factory=SlConfig)
    """The SL policy network."""
    rl: RlConfig = field(default_factory=RlConfig)
    """The RL policy network."""
    value_data: ValueDataConfig = field(default_factory=ValueDataConfig)
    """The value network's training positions."""
    value: ValueConfig = field(default_factory=ValueConfig)
    """The value network."""
    evaluate: EvaluateConfig = field(default_factory=EvaluateConfig)
    """The final arena."""

    def __post_init__(self) -> None:
        if not MIN_SIZE <= self.board_size <= MAX_SIZE:
            raise ConfigError(f"board_size must be from {MIN_SIZE} to {MAX_SIZE}")
        rules_from_name(self.rules, self.komi)  # ValueError on an unknown preset
        for f in fields(self):
            section = getattr(self, f.name)
            if not is_dataclass(section) or isinstance(section, type):
                continue
            shared = {k: getattr(self, k) for k in SHARED if hasattr(section, k)}
            if any(getattr(section, k) != v for k, v in shared.items()):
                object.__setattr__(self, f.name, replace(section, **shared))


ALPHAGO_CONFIGS = ConfigLoader(AlphaGoConfig, "alphago", RESUMABLE, SHARED)
"""AlphaGo presets (``igo/configs/alphago-<name>.toml``), overrides, TOML text and the resume
check."""


__all__ = [
    "ALPHAGO_CONFIGS",
    "STAGES",
    "AlphaGoConfig",
    "ConfigError",
    "EvaluateConfig",
    "PatternConfig",
    "RecordsConfig",
    "ShardsConfig",
]
