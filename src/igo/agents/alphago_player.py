"""AlphaGo (Lee) as players: ``alphago`` (the Lee-mode search with its four parts) and
``rollout`` (the rollout policy alone).

| player    | plays                                                                        |
|-----------|------------------------------------------------------------------------------|
| alphago   | ``mcts`` in Lee mode: SL policy priors, value net and rollouts mixed by       |
|           | lambda (0.5 by default), tree policy below the expansion threshold (1);       |
|           | 800 simulations (``search_presets.ALPHAGO_SEARCH``); on sizes the value net   |
|           | does not play, rollouts alone (lambda 1) and the policy net resized           |
| rollout   | the rollout policy's most probable sensible move (``temperature`` > 0:       |
|           | sampled), no search                                                          |

The ``alphago`` player's parts are the shipped 9x9 files (``igo.weights``, names in
``nets.ALPHAGO_WEIGHTS``) or, with ``run_dir``, those an ``igo alphago`` run wrote (where
``igo.run_dir.AlphaGoRunDir`` says). Nothing here imports torch until a player is built.
"""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from igo.agents.mcts_player import MctsPlayer
from igo.agents.nets import (
    ALPHAGO_WEIGHTS,
    LeeParts,
    MissingWeightsError,
    check_pattern_policy,
    shipped_weights,
)
from igo.agents.player import OptionDefaults, register_player
from igo.agents.player_options import LEE_OPTIONS, SEARCH_OPTIONS, apply_options, preset_defaults
from igo.agents.policy_player import PolicyPlayer, PriorSource
from igo.agents.search_presets import ALPHAGO_SEARCH, SearchSetup
from igo.agents.sized_player import DEFAULT_SIZE, SizedPlayer
from igo.run_dir import AlphaGoRunDir
from igo.run_dir.alphago_layout import ROLLOUT_POLICY, SL_POLICY, TREE_POLICY, VALUE_NET

_NETS = ("policy", "value")


def _needed(parts: LeeParts) -> list[Path]:
    """Every file the parts need: each network's weights and JSON, the pattern files."""
    files = []
    for f in fields(LeeParts):
        path = Path(str(getattr(parts, f.name)))
        files += [path, path.with_suffix(".json")] if f.name in _NETS else [path]
    return files


def run_parts(run_dir: str | Path) -> LeeParts:
    """The parts an ``igo alphago`` run wrote into ``run_dir`` (present or not)."""
    run = AlphaGoRunDir(run_dir)
    return LeeParts(
        policy=str(run.sl_policy),
        value=str(run.value_net),
        rollout=str(run.rollout_policy),
        tree_policy=str(run.tree_policy),
    )


def alphago_parts(run_dir: str | Path | None = None) -> LeeParts:
    """The ``alphago`` player's parts: the shipped files, or those of an ``igo alphago`` run.

    Raises:
        MissingWeightsError: naming the missing files and how to train them.
    """
    if run_dir is None:
        parts = LeeParts(**{key: str(shipped_weights(n)) for key, n in ALPHAGO_WEIGHTS.items()})
    else:
        parts = run_parts(run_dir)
    missing = [str(p) for p in _needed(parts) if not p.is_file()]
    if not missing:
        return parts
    if run_dir is not None:
        raise MissingWeightsError(
            f"the alphago player's run directory {run_dir} lacks {', '.join(missing)}: run the "
            f"AlphaGo pipeline into it (`igo alphago --preset 9x9 --run-dir {run_dir}`) up to its "
            "value stage"
        )
    raise MissingWeightsError(
        f"the alphago player needs its 9x9 parts, which are not installed yet: missing "
        f"{', '.join(missing)}. Train them with the AlphaGo pipeline (`igo alphago --preset "
        f"9x9`) and copy the run's {SL_POLICY}, {VALUE_NET} (each with its .json), "
        f"{ROLLOUT_POLICY} and {TREE_POLICY} there as {', '.join(ALPHAGO_WEIGHTS.values())} (and "
        ".json), or play a run directly with `--player alphago --run-dir RUN`."
    )


ALPHAGO_OPTIONS = ("run_dir", *SEARCH_OPTIONS, *LEE_OPTIONS)
"""The options of ``alphago``."""


def _alphago_defaults() -> OptionDefaults:
    return preset_defaults(ALPHAGO_OPTIONS, {"alphago": (ALPHAGO_SEARCH, SearchSetup())})


@register_player("alphago", ALPHAGO_OPTIONS, _alphago_defaults)
def alphago_player(run_dir: str | None = None, **options: Any) -> SizedPlayer:
    """``mcts`` in Lee mode with AlphaGo's parts (see the module docstring): ``ALPHAGO_SEARCH``
    (800 simulations a move, c_puct 5, lambda 0.5, expansion threshold 1) with ``options`` set,
    on the value net's size; on every other size the same search without the value net (lambda
    1: rollouts alone score the leaves) on the policy net resized
    (``net_evaluator.policy_at_size``).

    Raises:
        MissingWeightsError: naming the missing files and how to get them.
    """
    parts = alphago_parts(run_dir)
    search, setup = apply_options(ALPHAGO_SEARCH, SearchSetup(lee=parts), options)
    full = MctsPlayer(search, setup, name="alphago")
    rollouts = MctsPlayer(
        replace(search, lee_lambda=1.0),
        replace(setup, lee=replace(setup.lee, value=None)),
        name="alphago",
    )
    own = full.board_sizes

    def build(size: int) -> MctsPlayer:
        return full if full.plays_size(size) else rollouts

    def note(size: int) -> str:
        if full.plays_size(size):
            return f"alphago at {size}x{size}: policy and value networks and rollouts"
        plays = " and ".join(f"{n}x{n}" for n in own or ())
        return (
            f"alphago at {size}x{size}: its value network plays {plays} only, so rollouts alone "
            f"score the leaves (lambda 1), from the {plays} policy network's priors"
        )

    sizes = None if rollouts.board_sizes is None else own
    first = own[0] if own else DEFAULT_SIZE
    return SizedPlayer("alphago", build, note, board_sizes=sizes, size=first)


@register_player("rollout")
class RolloutPlayer(PolicyPlayer):
    """The rollout (or tree) policy's move, no search: ``PolicyPlayer`` over a pattern softmax."""

    name = "rollout"

    def __init__(
        self,
        rollout_checkpoint: str | None = None,
        temperature: float = 0.0,
        seed: int | None = None,
    ) -> None:
        """Args:
        rollout_checkpoint: a rollout or tree policy (``.npz`` of ``igo.search.rollout``).
        temperature: 0 plays the most probable move; > 0 samples ``p ** (1 / temperature)``.
        seed: seeds the sampling.
        """
        if rollout_checkpoint is None:
            raise ValueError("the rollout player needs a policy: --rollout-checkpoint PATH.npz")
        self._policy_path = check_pattern_policy(rollout_checkpoint)
        self.board_sizes = None
        """Patterns play any size."""
        self._setup(temperature, seed)

    def _load(self) -> PriorSource:
        """The pattern softmax as a prior source (its hash tables compile here)."""
        from igo.search.rollout import RolloutPolicy, TreePolicyEvaluator

        return TreePolicyEvaluator(RolloutPolicy.load(self._policy_path), pass_prior=0.0)
