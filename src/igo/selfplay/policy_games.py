"""Many games at once between AlphaGo policy networks, no search: the games of AlphaGo's RL
stage and of its value-network data (Silver et al., Nature 529, 2016, Methods).

Each step encodes every unfinished game whose side to move is played by net X (AlphaGo's 48
planes, ``igo.encode.alphago``) and runs X once on that batch. A move is drawn from the policy
restricted to the *sensible* moves (legal, superko included, and not filling the mover's own true
eye: exactly plane 46 of the encoding), ``p(a) ~ exp(logit_a / T)``, or the most probable one when
``temperature`` is 0; the mover passes only when no sensible move is left, as AlphaGo's policy
nets play on until nothing is left. A game ends after two passes in a row or at the move cap
(``3 N^2`` by default) and is counted by area with komi (Tromp-Taylor: every stone alive).

Hooks: ``mover(game, ply)`` picks which net moves at each ply (or ``RANDOM``: a uniformly random
sensible move), ``capture_plies`` copies a game's position once that many moves are played (the
value data's ``s_{U+1}``), and ``learner`` records the planes (uint8) and the move index of each
move a chosen net plays (REINFORCE's ``(s_t, a_t)``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from igo.encode.alphago import NUM_PLANES, SENSIBLENESS, encode_alphago_batch
from igo.go.coords import Color
from igo.go.result import GameResult
from igo.go.rules import rules_from_name
from igo.go.sensible import sensible_moves
from igo.go.state import GameState
from igo.selfplay.game import final_result

RANDOM = -1
"""The ``mover`` answer for a uniformly random sensible move instead of a net's."""

PolicyFn = Callable[[np.ndarray], np.ndarray]
"""A policy net: float32 planes [B, 48, N, N] -> logits [B, N*N + 1] (pass last)."""
MoverFn = Callable[[int, int], int]
"""(game, ply) -> index of the policy that plays that ply of that game, or ``RANDOM``."""


@dataclass(frozen=True)
class PolicyGameConfig:
    """The board, rules and sampling of a batch of policy-network games."""

    size: int
    """Board size N."""
    komi: float = 7.0
    """Komi given to white."""
    rules: str = "chinese"
    """Rules preset (``igo.go.rules``); games are counted by area whatever the preset."""
    move_cap: int | None = None
    """Moves after which a game stops and is counted; None: 3 N^2."""
    temperature: float = 1.0
    """Sampling temperature over the logits; 0 plays the most probable sensible move."""

    def __post_init__(self) -> None:
        if not self.temperature >= 0:
            raise ValueError(f"temperature must be >= 0, not {self.temperature}")

    @property
    def cap(self) -> int:
        """The move cap in force."""
        return 3 * self.size * self.size if self.move_cap is None else self.move_cap


@dataclass(frozen=True)
class PolicyGame:
    """One finished game."""

    index: int
    """The game's number in the batch."""
    winner: Color | None
    """BLACK or WHITE; None for a draw."""
    score: float
    """Black's area minus white's area and komi (positive: black won)."""
    result: GameResult
    """The full count."""
    moves: tuple[int, ...]
    """The moves played, flat points, pass = N*N."""
    by_passes: bool
    """True if the game ended by two passes, False if at the move cap."""
    captured: GameState | None = None
    """A copy of the position after ``capture_plies[index]`` moves, if asked and reached."""
    learner_planes: np.ndarray | None = None
    """uint8 [T, 48, N, N]: the positions where the learner moved (None: no learner)."""
    learner_moves: np.ndarray | None = None
    """int64 [T]: the learner's move in each of those positions."""

    def outcome_for(self, color: Color) -> float:
        """z for ``color``: +1 win, -1 loss, 0 draw."""
        return 0.0 if self.winner is None else (1.0 if self.winner == color else -1.0)


@dataclass
class _Live:
    """A game in progress and what it records."""

    state: GameState
    captured: GameState | None = None
    planes: list[np.ndarray] = field(default_factory=list)
    moves: list[int] = field(default_factory=list)


def sensible_mask(planes: np.ndarray) -> np.ndarray:
    """bool [B, N*N + 1]: the moves a policy game may play in encoded positions [B, 48, N, N]:
    the sensible points (plane 46), or pass alone when there is none."""
    points = planes[:, SENSIBLENESS].reshape(len(planes), -1) > 0.5
    return np.concatenate([points, ~points.any(axis=1, keepdims=True)], axis=1)


def choose_moves(
    logits: np.ndarray, mask: np.ndarray, temperature: float, rng: np.random.Generator
) -> np.ndarray:
    """int64 [B]: a move per row drawn from softmax(logits / T) over ``mask`` (argmax if T=0)."""
    masked = np.where(mask, logits.astype(np.float64), -np.inf)
    if temperature == 0:
        return np.asarray(np.argmax(masked, axis=1), dtype=np.int64)
    masked = masked / temperature
    masked -= masked.max(axis=1, keepdims=True)
    probs = np.exp(masked)
    cumulative = np.cumsum(probs, axis=1)
    draws = rng.random(len(probs)) * cumulative[:, -1]
    picks = (cumulative <= draws[:, None]).sum(axis=1)
    # never land on a masked entry (float ties at the top): step back to the last allowed one
    picks = np.minimum(picks, mask.shape[1] - 1)
    for row in np.flatnonzero(~mask[np.arange(len(picks)), picks]):
        picks[row] = np.flatnonzero(mask[row])[-1]
    out: np.ndarray = picks.astype(np.int64)
    return out


def _random_move(state: GameState, rng: np.random.Generator) -> int:
    """A uniformly random sensible move, or pass if there is none."""
    candidates = sensible_moves(state)
    return state.num_points if candidates.size == 0 else int(rng.choice(candidates))


def _net_step(
    policy: PolicyFn,
    games: list[_Live],
    config: PolicyGameConfig,
    rng: np.random.Generator,
    record: bool,
) -> list[int]:
    """One batched call of ``policy`` on ``games``; their moves (and records if ``record``)."""
    planes = encode_alphago_batch([g.state for g in games])
    moves = choose_moves(policy(planes), sensible_mask(planes), config.temperature, rng)
    if record:
        packed = planes.astype(np.uint8)
        for game, row, move in zip(games, packed, moves.tolist(), strict=True):
            game.planes.append(row)
            game.moves.append(move)
    return [int(m) for m in moves]


def _step(
    policies: Sequence[PolicyFn],
    live: dict[int, _Live],
    mover: MoverFn,
    config: PolicyGameConfig,
    rng: np.random.Generator,
    learner: int | None,
) -> None:
    """Play one move in every unfinished game: one batch per policy, then the random movers."""
    groups: dict[int, list[int]] = {}
    for index, game in live.items():
        groups.setdefault(mover(index, len(game.state.moves)), []).append(index)
    chosen: dict[int, int] = {}
    for who in sorted(groups):
        indices = groups[who]
        if who == RANDOM:
            moves = [_random_move(live[i].state, rng) for i in indices]
        elif 0 <= who < len(policies):
            batch = [live[i] for i in indices]
            moves = _net_step(policies[who], batch, config, rng, who == learner)
        else:
            raise ValueError(f"mover answered {who}: there are {len(policies)} policies")
        chosen.update(zip(indices, moves, strict=True))
    for index, move in chosen.items():
        live[index].state.play(move)


def _finish(index: int, game: _Live, recorded: bool) -> PolicyGame:
    """The finished game's result, and its learner records if ``recorded``."""
    state = game.state
    result = final_result(state, "tromp-taylor")
    black = result.black_score or 0.0
    white = result.white_score or 0.0
    planes = moves = None
    if recorded:
        shape = (len(game.planes), NUM_PLANES, state.size, state.size)
        planes = np.stack(game.planes) if game.planes else np.zeros(shape, dtype=np.uint8)
        moves = np.asarray(game.moves, dtype=np.int64)
    return PolicyGame(
        index=index,
        winner=result.winner,
        score=float(black - white),
        result=result,
        moves=tuple(int(p) for _, p in state.moves),
        by_passes=state.consecutive_passes >= 2,
        captured=game.captured,
        learner_planes=planes,
        learner_moves=moves,
    )


def play_policy_games(
    policies: Sequence[PolicyFn],
    num_games: int,
    mover: MoverFn,
    config: PolicyGameConfig,
    rng: np.random.Generator,
    *,
    learner: int | None = None,
    capture_plies: Sequence[int | None] | None = None,
) -> list[PolicyGame]:
    """Play ``num_games`` games at once to the end; see the module docstring.

    Args:
        policies: the nets (``net_policy``), indexed by ``mover``'s answers.
        num_games: games to play, numbered 0..num_games-1.
        mover: (game, ply) -> the index of the policy to move, or ``RANDOM``.
        config: board, rules, move cap and temperature.
        rng: draws every move.
        learner: the index of the policy whose positions and moves are recorded, if any.
        capture_plies: per game, copy the position once this many moves are played (None: no).

    Returns:
        The games in order of their numbers.
    """
    if capture_plies is not None and len(capture_plies) != num_games:
        raise ValueError("capture_plies needs one entry per game")
    rules = rules_from_name(config.rules, config.komi)
    live = {i: _Live(GameState(config.size, rules, config.cap)) for i in range(num_games)}
    done: dict[int, PolicyGame] = {}
    while live:
        for index, game in list(live.items()):
            at = None if capture_plies is None else capture_plies[index]
            if at is not None and len(game.state.moves) == at:
                game.captured = game.state.copy()
            if game.state.is_over():
                done[index] = _finish(index, game, learner is not None)
                del live[index]
        if live:
            _step(policies, live, mover, config, rng, learner)
    return [done[i] for i in range(num_games)]


def net_policy(net: object, device: str = "auto", batch_size: int = 512) -> PolicyFn:
    """A ``PolicyFn`` running an AlphaGo ``PolicyNet`` through ``igo.nn.inference.TorchEvaluator``
    (which rebuilds its prepared copy whenever the net's weights change)."""
    from igo.nn.inference import TorchEvaluator
    from igo.nn.net import PolicyNet

    if not isinstance(net, PolicyNet) or int(net.config.in_planes) != NUM_PLANES:
        raise TypeError("policy games need an AlphaGo PolicyNet (48 input planes)")
    return TorchEvaluator(net, device=device, batch_size=batch_size).policy_logits
