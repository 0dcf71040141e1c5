"""ZeroConfig: the whole AlphaGo Zero run as one frozen dataclass; GateConfig, its gating.

``ZeroConfig`` composes :class:`~igo.selfplay.selfplay_config.SelfPlayConfig`,
:class:`~igo.train.training_config.TrainConfig` and :class:`GateConfig` with the network and the
run's own knobs. Presets are TOML files shipped in ``igo/configs/`` (``zero-tiny.toml``,
``zero-9x9.toml``, ``zero-19x19.toml``): top-level keys are ZeroConfig fields, tables
``[selfplay]``, ``[selfplay.search]``, ``[train]``, ``[gate]``, ``[gate.search]`` and
``[net_overrides]`` the parts. ``ZERO_CONFIGS``
(``igo.train.config_loader``) reads, overrides, writes and checks them; every problem (an unknown
key, a bad value) is one :class:`ConfigError` whose message names the key.

Gating defaults follow AlphaGo Zero (Silver et al., Nature 550, 2017, Methods "Evaluator").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from igo.nn.net import Net, NetConfig
from igo.nn.registry import create_net, list_nets
from igo.nn.registry import net_config as variant_config
from igo.search.config import SearchConfig
from igo.selfplay.selfplay_config import SELFPLAY_SEARCH, SelfPlayConfig, with_mix_komi
from igo.train.config_loader import ConfigError, ConfigLoader
from igo.train.training_config import TrainConfig

GateMode = Literal["winrate", "sprt", "none"]

GATE_SEARCH = SearchConfig(num_simulations=100, dirichlet_epsilon=0.0, temperature_moves=4)
"""The gating games' search unless a preset says otherwise: 100 simulations, no noise, the first
4 moves sampled by visits so that the games differ (then the most visited); every other knob is
``SearchConfig``'s default."""


@dataclass(frozen=True)
class GateConfig:
    """Whether and how a trained candidate must beat the best network to replace it."""

    mode: GateMode = "winrate"
    """winrate: the paper's 55% over num_games; sprt: stop early by igo.eval.sprt; none:
    every candidate becomes the best (AlphaZero)."""
    num_games: int = 40
    """Games per gating match (the paper: 400); sprt: the most games."""
    win_rate: float = 0.55
    """Score (draws count half) the candidate needs (the paper: 55%)."""
    sprt_elo0: float = 0.0
    """sprt: H0, the candidate is this many Elo stronger (no better)."""
    sprt_elo1: float = 35.0
    """sprt: H1, the candidate is this many Elo stronger."""
    sprt_alpha: float = 0.05
    """sprt: chance of accepting a candidate that is no better."""
    sprt_beta: float = 0.05
    """sprt: chance of rejecting a candidate that is better by elo1."""
    search: SearchConfig = GATE_SEARCH
    """Both networks' search in gating games, whole (``[gate.search]`` in a preset; a key left
    out there keeps ``GATE_SEARCH``'s value)."""
    parallel_games: int = 40
    """Gating games played at once."""
    resign: bool = True
    """Resign at the self-play threshold in gating games (shorter matches)."""

    def __post_init__(self) -> None:
        _check(self.mode in ("winrate", "sprt", "none"), "gate.mode must be winrate, sprt or none")
        _check(self.num_games >= 1 and self.parallel_games >= 1, "gate.num_games must be >= 1")
        _check(0.0 <= self.win_rate <= 1.0, "gate.win_rate must be in [0, 1]")
        _check(self.sprt_elo1 > self.sprt_elo0, "gate.sprt_elo1 must exceed gate.sprt_elo0")
        _check(0 < self.sprt_alpha < 0.5 and 0 < self.sprt_beta < 0.5, "gate.sprt_alpha/beta")


RESUMABLE = frozenset(
    {
        "run_dir",
        "generations",
        "selfplay.num_workers",
        "selfplay.device",
        "selfplay.torch_threads",
        "selfplay.eval_batch_size",
        "selfplay.precision",
        "train.device",
        "train.precision",
        "train.torch_threads",
        "selfplay.resign_threshold",
        "selfplay.resign_calibration_games",
        "selfplay.resign_min_games",
        "selfplay.resign_max_threshold",
        "selfplay.false_resign_target",
        "selfplay.pass_when_losing",
        "gate.*",
        "carry_dir",
        "carry_games_mb",
    }
)
"""Fields a resumed run may change: how long and where it runs, not what it computes; the
resignation and passing rules, which decide only when future games end; and every ``gate.*``
field: how candidates are judged never changes the games or steps done."""
_FIXED_NET_FIELDS = ("board_size", "in_planes", "outputs")


@dataclass(frozen=True)
class ZeroConfig:
    """An AlphaGo Zero run: network, self-play, training, gating, and the run's bookkeeping."""

    run_dir: str = "runs/zero-9x9"
    """The run's folder (config, state, models, checkpoints, replay, arena, logs)."""
    net: str = "resnet_b6c64"
    """The network variant (``igo.nn.list_nets()``)."""
    net_overrides: dict[str, Any] = field(default_factory=dict)
    """Fields of the variant's family config replacing its own (blocks, channels, norm...)."""
    history: int = 8
    """Positions of stones per input: 2 * history + 1 planes (the paper: 8, 17 planes)."""
    generations: int = 100
    """Generations to run (each: self-play, training, gating)."""
    seed: int = 0
    """Seeds the initial network, the self-play searches and the minibatch sampler."""
    checkpoint_every: int = 100
    """Training steps between trainer checkpoints (a killed run redoes at most these)."""
    keep_models: int = 5
    """Generation networks kept besides the best one (older ones are deleted)."""
    keep_checkpoints: int = 3
    """Trainer checkpoints kept."""
    carry_dir: str = ""
    """Where the run's continuation state is carried (``carry.py``; e.g. a folder in the
    repository): written at the end of every generation, restored when the run folder has no
    state. Empty: nothing carried."""
    carry_games_mb: float = 4.0
    """The carry's sample of self-play games: the newest whose files fit in this many MB
    (4 MB: about the 9x9 preset's smallest replay window, 1,000 games)."""
    selfplay: SelfPlayConfig = field(default_factory=SelfPlayConfig)
    """How self-play games are played."""
    train: TrainConfig = field(default_factory=TrainConfig)
    """How the network is trained."""
    gate: GateConfig = field(default_factory=GateConfig)
    """How a candidate is gated."""

    def __post_init__(self) -> None:
        if self.net not in list_nets():
            raise ConfigError(f"net: unknown variant {self.net!r}; known: {', '.join(list_nets())}")
        known = set(variant_config(self.net).field_names()) - set(_FIXED_NET_FIELDS)
        unknown = sorted(set(self.net_overrides) - known)
        if unknown:
            raise ConfigError(f"net_overrides: unknown or fixed {self.net} fields {unknown}")
        heads = self.net_overrides.get("heads", variant_config(self.net).heads)
        if self.selfplay.mixed and heads != "pooled":
            raise ConfigError(
                "selfplay.board_sizes: a mix of sizes needs a net with pooled heads "
                f'(net_overrides.heads = "pooled"); {self.net}\'s heads are {heads!r}'
            )
        for name in ("history", "generations", "checkpoint_every", "keep_models"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be at least 1")
        if self.keep_checkpoints < 1:
            raise ConfigError("keep_checkpoints must be at least 1")
        if self.carry_games_mb < 0:
            raise ConfigError("carry_games_mb must be at least 0")

    @property
    def total_steps(self) -> int:
        """Training steps of the whole run."""
        return self.generations * self.train.steps_per_generation

    def net_config(self) -> NetConfig:
        """The resolved NetConfig of the run's networks."""
        return self.build_net().config

    def build_net(self) -> Net:
        """A freshly initialised network of the run's architecture."""
        size, planes = self.selfplay.board_size, 2 * self.history + 1
        try:
            return create_net(self.net, board_size=size, in_planes=planes, **self.net_overrides)
        except (TypeError, ValueError, KeyError) as err:
            raise ConfigError(f"net {self.net} with {self.net_overrides}: {err}") from err


_FLAT_SEARCH_KEYS = {
    "selfplay": (
        SELFPLAY_SEARCH,
        (
            "num_simulations",
            "full_search_prob",
            "cheap_simulations",
            "c_puct",
            "dirichlet_alpha",
            "dirichlet_epsilon",
            "temperature_moves",
            "leaves_per_batch",
        ),
    ),
    "gate": (GATE_SEARCH, ("num_simulations", "temperature_moves")),
}


def nest_flat_search(saved: dict[str, Any]) -> dict[str, Any]:
    """A saved ``config.json`` of igo 0.1.0 (the search knobs flat in ``[selfplay]`` and
    ``[gate]``) in today's layout, so that its run resumes: each part's flat knobs become the
    whole SearchConfig they made then (that default with the saved values; in self-play a cheap
    search never above a full one), under ``search``. A config already nested comes back unchanged.
    """
    data = {key: dict(value) if isinstance(value, dict) else value for key, value in saved.items()}
    for part, (default, keys) in _FLAT_SEARCH_KEYS.items():
        table = data.get(part)
        if not isinstance(table, dict) or "search" in table:
            continue
        search = asdict(default) | {key: table.pop(key) for key in keys if key in table}
        if part == "selfplay":  # as SelfPlayConfig lowers it, then and now
            search["cheap_simulations"] = min(
                search["cheap_simulations"], search["num_simulations"]
            )
        table["search"] = search
    return data


def upgrade_saved(saved: dict[str, Any]) -> dict[str, Any]:
    """A saved ``config.json`` of an older igo in today's layout: the search knobs nested
    (``nest_flat_search``) and each size of a mix with its komi (``with_mix_komi``)."""
    data = nest_flat_search(saved)
    if isinstance(data.get("selfplay"), dict):
        data["selfplay"] = with_mix_komi(data["selfplay"])
    return data


ZERO_CONFIGS = ConfigLoader(ZeroConfig, "zero", RESUMABLE, upgrade=upgrade_saved)
"""Zero presets (``igo/configs/zero-<name>.toml``), overrides, TOML text and the resume check."""


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)


__all__ = ["GATE_SEARCH", "ZERO_CONFIGS", "ConfigError", "GateConfig", "ZeroConfig"]
