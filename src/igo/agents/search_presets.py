"""The search players as presets: each is one ``SearchConfig`` plus a ``SearchSetup`` (what is
not search: networks, time, resignation, device, seed).

| player                       | search                                         | setup            |
|------------------------------|------------------------------------------------|------------------|
| ``mcts`` (no network)        | ``mcts_search``: Lee mode, c_puct 5, rollouts  | nothing          |
|                              | alone (lambda 1), 400 simulations              |                  |
| ``mcts --checkpoint P``      | ``mcts_search``: Zero mode, c_puct 1.25        | the Zero net     |
| ``mcts --value-checkpoint V``| Lee mode, lambda 0.5                           | AlphaGo's parts  |
| ``zero``                     | ``mcts_search``: Zero mode (``MATCH_SEARCH``)  | the shipped net  |
| ``alphago``                  | ``ALPHAGO_SEARCH``: Lee mode, c_puct 5, lambda | the shipped or a |
|                              | 0.5, expansion threshold 1, 800 simulations    | run's four parts |

Every preset plays a match: no root noise, the most visited move (``--temperature T`` > 0 samples
the first 30 moves), 8 leaves per network call. A player's options (``igo.agents.player_options``)
change fields of its preset; nothing here imports torch.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from igo.agents.analysis import DEFAULT_MAX_VISITS
from igo.agents.nets import LeeParts
from igo.agents.resign import ResignPolicy
from igo.search.config import SearchConfig, SearchMode

DEFAULT_VISITS = 400
"""New simulations per move of ``mcts`` and ``zero`` (a move's ``num_simulations``)."""
OPENING_MOVES = 30
"""Moves a temperature above 0 samples (then the most visited move)."""

MATCH_SEARCH = SearchConfig(
    num_simulations=DEFAULT_VISITS,
    dirichlet_epsilon=0.0,
    temperature=0.0,
    temperature_moves=OPENING_MOVES,
)
"""A match player's search: no root noise; temperature 0 plays the most visited move (``T`` > 0
samples the first ``OPENING_MOVES`` moves by visits ** (1 / T)); AlphaGo Zero's c_puct 1.25, 8
leaves per network call, every other knob ``SearchConfig``'s default."""
LEE_C_PUCT = 5.0
"""AlphaGo's exploration constant, made for its SL policy's priors (AlphaGo Zero's nets want
about 1.25)."""
LAMBDA = 0.5
"""The default weight of rollouts in Q: the paper's best, 0.5. At 800 simulations against GNU Go
level 10 (100 games each, docs/alphago.md): 71.5% with the shipped value net (77,504 positions,
held-out MSE 0.679); with a first value net from 15,235 positions (MSE 0.723) lambda 0.5 scored
54.5% and rollouts alone (lambda 1, ``lee_lambda=1``) 67.5%."""
EXPAND_THRESHOLD = 1
"""Visits before a node's SL priors replace the tree policy's. The paper's 40 kept its GPUs'
queue short; here every new leaf is evaluated by both networks in one call anyway (the value net
needs it), so waiting only throws the SL priors away, and the tree policy's flatter priors
widen the tree (more new leaves to evaluate)."""
ALPHAGO_VISITS = 800
"""Simulations per move of ``alphago``."""
ALPHAGO_SEARCH = replace(
    MATCH_SEARCH,
    num_simulations=ALPHAGO_VISITS,
    mode="lee",
    c_puct=LEE_C_PUCT,
    lee_lambda=LAMBDA,
    expand_threshold=EXPAND_THRESHOLD,
)
"""The ``alphago`` player's search: AlphaGo's Lee mode with its c_puct 5, lambda ``LAMBDA`` and
an expansion threshold of ``EXPAND_THRESHOLD``, ``ALPHAGO_VISITS`` simulations a move."""


def mcts_search(mode: SearchMode, value_net: bool) -> SearchConfig:
    """The search of ``mcts`` (and, in Zero mode, of ``zero``): ``MATCH_SEARCH`` in ``mode``,
    with AlphaGo's c_puct in Lee mode, and rollouts alone (lambda 1) unless a value net mixes
    in (lambda 0.5)."""
    c_puct = LEE_C_PUCT if mode == "lee" else MATCH_SEARCH.c_puct
    lee_lambda = LAMBDA if value_net else 1.0
    return replace(MATCH_SEARCH, mode=mode, c_puct=c_puct, lee_lambda=lee_lambda)


@dataclass(frozen=True)
class SearchSetup:
    """What a search player has besides its search: networks, time, resignation, device, seed."""

    checkpoint: str | None = None
    """A network checkpoint (.safetensors with its .json): for the search, a PolicyValueNet on
    Zero planes (Zero mode); None: no network."""
    lee: LeeParts = LeeParts()
    """Lee mode's parts: AlphaGo's networks, rollout and tree policies, each optional."""
    seconds: float | None = None
    """Most seconds per move (a game clock may allow less); None: no time limit."""
    time_only: bool = False
    """Whether time alone ends a move, not the search's ``num_simulations`` (``--seconds``
    without ``--visits``)."""
    resign: ResignPolicy = ResignPolicy()
    """When the player resigns."""
    device: str = "auto"
    """Where networks run: auto (CUDA if available), cpu, cuda, cuda:N."""
    backend: str = "torch"
    """What runs the networks: torch, or onnx (ONNX Runtime on the exported graph, CPU; needs
    the compress extra). An .onnx checkpoint always runs on ONNX Runtime."""
    symmetry: str = "random"
    """Zero nets: none, random (one of the 8 board symmetries per evaluation) or all (their
    average)."""
    seed: int | None = None
    """Seeds noise, move sampling, rollouts and symmetries."""
    max_analysis_visits: int = DEFAULT_MAX_VISITS
    """Visits after which an open-ended analysis stops growing the tree."""

    def __post_init__(self) -> None:
        if self.seconds is not None and not self.seconds > 0:
            raise ValueError(f"seconds must be positive, not {self.seconds}")
        if self.time_only and self.seconds is None:
            raise ValueError("time alone ends a move only with seconds")
        if self.max_analysis_visits < 1:
            raise ValueError("max_analysis_visits must be at least 1")


@dataclass(frozen=True)
class AlphaGoSource:
    """Where the ``alphago`` player's four parts come from."""

    run_dir: str | None = None
    """An ``igo alphago`` run whose parts to play; None: the shipped 9x9 files."""
