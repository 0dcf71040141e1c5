"""Counting a game: area and territory scores, dead-stone estimation, and the game's result.

Area (Tromp-Taylor): a player's stones plus the empty points that reach only their stones.
Territory (Japanese-like): empty points that reach only one colour, plus prisoners (captures
and dead stones), with no points inside seki. White adds komi, and under area scoring the
handicap bonus of the rules.

A game that ends by two passes is rarely played out, so dead stones are estimated as GNU Go's
and Pachi's Monte Carlo modes do: random playouts from the final position (no eye filling), and
a string is dead when its points end up owned by the opponent on average.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from igo.go.board import geometry
from igo.go.coords import Color
from igo.go.playout import area_owner, new_rng, playout_ownership
from igo.go.result import GameResult
from igo.go.state import GameState


def stone_strings(stones: np.ndarray, size: int) -> list[np.ndarray]:
    """The strings of ``stones`` [P]: the orthogonally connected points of one nonzero value
    (1 black, 2 white, or any other mark: ``territory_score`` floods regions marked 3), as int64
    arrays of points, first point first, strings in the board order of their first points.

    Zeros split strings: the strings of some stones only (GTP's ``final_status_list dead``) are
    those of ``np.where(selected, stones, 0)``. Python, for scoring and GTP answers, not for hot
    loops.
    """
    nbr = geometry(size).neighbours
    seen = np.zeros(stones.shape[0], dtype=bool)
    out: list[np.ndarray] = []
    for p in np.flatnonzero(stones):
        if seen[p]:
            continue
        seen[p] = True
        members, frontier = [int(p)], [int(p)]
        while frontier:
            r = frontier.pop()
            for q in nbr[r]:
                if q >= 0 and not seen[q] and stones[q] == stones[p]:
                    seen[q] = True
                    members.append(int(q))
                    frontier.append(int(q))
        out.append(np.array(members, dtype=np.int64))
    return out


def ownership(state: GameState, num_playouts: int = 256, seed: int = 0) -> np.ndarray:
    """float [P] in [-1, 1]: how often black (+1) or white (-1) owns each point at the end of
    random playouts from ``state``."""
    g = state.geometry
    own = np.zeros(state.num_points, dtype=np.float64)
    max_moves = 4 * state.num_points + 100
    playout_ownership(
        state.board_vector,
        g.neighbours,
        g.diagonals,
        g.zobrist,
        int(state.to_play),
        num_playouts,
        max_moves,
        new_rng(seed),
        own,
    )
    return own


def playout_areas(
    state: GameState, num_playouts: int = 64, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``ownership``'s random playouts one by one: (float [P] mean ownership, +1 black; float
    [num_playouts] each playout's black area minus white area, before komi), so that a caller
    can read the spread of the final count as well as its mean."""
    g = state.geometry
    own = np.zeros(state.num_points, dtype=np.float64)
    one = np.empty(state.num_points, dtype=np.float64)
    areas = np.empty(num_playouts, dtype=np.float64)
    max_moves = 4 * state.num_points + 100
    rng = new_rng(seed)
    for i in range(num_playouts):
        areas[i] = playout_ownership(
            state.board_vector,
            g.neighbours,
            g.diagonals,
            g.zobrist,
            int(state.to_play),
            1,
            max_moves,
            rng,
            one,
        )
        own += one
    return own / max(1, num_playouts), areas


def final_status(state: GameState, num_playouts: int = 256, seed: int = 0) -> np.ndarray:
    """bool [P]: True where a stone is judged dead (its string is owned by the opponent on
    average over ``num_playouts`` random playouts)."""
    stones = state.stones()
    own = ownership(state, num_playouts, seed)
    dead = np.zeros(state.num_points, dtype=bool)
    for string in stone_strings(stones, state.size):
        sign = 1.0 if stones[string[0]] == Color.BLACK else -1.0
        if sign * float(own[string].mean()) < 0.0:
            dead[string] = True
    return dead


def seki_stones(
    state: GameState, dead: np.ndarray, num_playouts: int = 256, seed: int = 0
) -> np.ndarray:
    """bool [P]: living stones in seki: strings that share a liberty with a living opponent string
    and whose ownership stays undecided over random playouts."""
    stones = np.where(dead, 0, state.stones())
    own = ownership(state, num_playouts, seed)
    nbr = state.geometry.neighbours
    seki = np.zeros(state.num_points, dtype=bool)
    for string in stone_strings(stones, state.size):
        colour = stones[string[0]]
        libs = {int(q) for r in string for q in nbr[r] if q >= 0 and stones[q] == 0}
        shared = any(stones[q] == 3 - colour for lib in libs for q in nbr[lib] if q >= 0)
        if shared and abs(float(own[string].mean())) < 0.5:
            seki[string] = True
    return seki


def _owners(stones: np.ndarray, size: int) -> np.ndarray:
    owner = np.zeros(stones.shape[0], dtype=np.int64)
    area_owner(stones.astype(np.int64), geometry(size).neighbours, owner)
    return owner


def area_owners(stones: np.ndarray, size: int) -> np.ndarray:
    """int8 [P]: who owns each point of ``stones`` [P] by area: +1 black, -1 white, 0 neither (a
    stone is its colour's; an empty region its colour's if it reaches only that colour)."""
    owner = _owners(stones, size)
    return np.select([owner == 1, owner == 2], [1, -1], 0).astype(np.int8)


def area_score(stones: np.ndarray, size: int) -> tuple[int, int]:
    """(black, white) area of ``stones`` [P]: stones plus empty regions reaching only them."""
    owner = _owners(stones, size)
    return int(np.sum(owner == 1)), int(np.sum(owner == 2))


def territory_score(
    stones: np.ndarray, size: int, seki: np.ndarray | None = None
) -> tuple[int, int]:
    """(black, white) territory of ``stones`` [P]: empty regions reaching only one colour; regions
    touching a seki stone (``seki`` [P] bool) count for nobody."""
    owner = _owners(stones, size)
    territory = (stones == 0) & (owner > 0)
    if seki is not None and seki.any():
        nbr = geometry(size).neighbours
        for region in stone_strings(np.where(territory, 3, 0).astype(np.int8), size):
            if any(seki[q] for r in region for q in nbr[r] if q >= 0):
                territory[region] = False
    return int(np.sum(territory & (owner == 1))), int(np.sum(territory & (owner == 2)))


def final_score(
    state: GameState, dead: np.ndarray | None = None, num_playouts: int = 256, seed: int = 0
) -> GameResult:
    """Count ``state`` under its rules with ``dead`` stones removed (estimated when None)."""
    if dead is None:
        dead = final_status(state, num_playouts, seed)
    stones = state.stones()
    alive = np.where(dead, 0, stones).astype(np.int8)
    rules = state.rules
    if rules.scoring == "area":
        black, white = area_score(alive, state.size)
        white_total = white + rules.komi + rules.handicap_bonus(state.num_handicap)
        return GameResult.by_score(float(black), float(white_total))
    seki = seki_stones(state, dead, num_playouts, seed)
    black, white = territory_score(alive, state.size, seki)
    black += state.captures(Color.BLACK) + int(np.sum(dead & (stones == Color.WHITE)))
    white += state.captures(Color.WHITE) + int(np.sum(dead & (stones == Color.BLACK)))
    return GameResult.by_score(float(black), float(white) + rules.komi)


def game_result(state: GameState, num_playouts: int = 256, seed: int = 0) -> GameResult | None:
    """The result of a finished game (resignation, or counting after passes or the move cap);
    None while it goes on."""
    if state.resigned is not None:
        return GameResult(state.resigned.opponent, "resign")
    if not state.is_over():
        return None
    return final_score(state, None, num_playouts, seed)


def tromp_taylor_score(state: GameState) -> float:
    """Black's area minus white's area, komi and handicap bonus, with no stone taken as dead."""
    black, white = area_score(state.stones(), state.size)
    return black - white - state.rules.komi - state.rules.handicap_bonus(state.num_handicap)


def passing_loses(state: GameState, count: Callable[[GameState], GameResult] | None = None) -> bool:
    """Whether a pass by the side to move would lose the game if the opponent passed back, by
    the Tromp-Taylor count (every stone on the board alive), or by ``count`` where given.

    The players and self-play refuse such a pass (Leela Zero's rule) unless nothing else is
    sensible: a net whose value head sees the game as lost passes, the opponent passes back, and
    the game ends lost at once (the 9x9 Zero net passed at move 2 as white, and self-play taught
    later nets to do it more). Every stone counted alive is the safe side of the rule: playing on
    to capture dead stones in one's own area costs nothing under area scoring, and an estimate of
    dead stones on a near-empty board can call a lone stone dead and the early pass a win.

    A player that meets an opponent and a referee counting with dead stones estimated (an
    ``igo match``) passes ``count=final_score``: the count a pass back and the referee use,
    taken after the pass as the opponent's ``passing_wins`` takes it, alone. On a near-empty
    board Tromp-Taylor gives white the game by komi while that count calls its lone stone dead;
    white passed, black passed back and won by B+74 (178 of 360 equal-time games). Both counts
    at once would not do: where they name different winners neither side may pass, and a player
    that never resigns plays on to the move cap.
    """
    if count is None:
        score = tromp_taylor_score(state)
        return score < 0 if state.to_play == Color.BLACK else score > 0
    # Counted after the pass, as the opponent's ``passing_wins`` counts it: the estimate of dead
    # stones plays out from the side to move, and counted before the pass it could call the
    # game a draw where the opponent's count, after it, gives the opponent the game.
    after = state.copy()
    after.pass_move()
    return count(after).winner == state.to_play.opponent


def opponent_passed(state: GameState) -> bool:
    """Whether the last move of ``state`` was a pass (a pass back would end the game)."""
    moves = state.moves
    return bool(moves) and moves[-1][1] == state.num_points and state.resigned is None


def passing_wins(state: GameState, count: Callable[[GameState], GameResult] | None = None) -> bool:
    """Whether the side to move wins by passing back: the opponent has just passed, so a pass
    ends the game, and ``count`` (default: ``final_score`` under the game's rules, dead stones
    estimated as the count does) gives the side to move the win.

    Every player asks this before moving. A search that counts its leaves Tromp-Taylor (every
    stone alive) sees a pass that leaves a dead stone in its area as a loss, plays on inside its
    own territory, and a weak net fills it until its groups die (the 9x9 Zero net against GNU
    Go: five games lost by W+88 after GNU Go began to pass).
    """
    if not opponent_passed(state):
        return False
    result = final_score(state) if count is None else count(state)
    return result.winner == state.to_play


__all__ = [
    "final_score",
    "opponent_passed",
    "passing_wins",
    "passing_loses",
    "final_status",
    "game_result",
    "area_score",
    "territory_score",
    "ownership",
    "seki_stones",
    "tromp_taylor_score",
]
