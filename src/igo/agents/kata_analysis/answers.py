"""A searched turn -> KataGo's answer object (``moveInfos``, ``rootInfo``, ownership, policy).

Winrates are the search's mean values as win rates; ``utility`` is the value itself in [-1, 1]
(igo's utility has no score term); ``lcb`` the lower confidence bound of the winrate (KataGo
writes a large value for moves with too few visits; igo writes the winrate's 0 there). Every
number takes the query's perspective: the side to move's, black's or white's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from igo.agents.analysis import move_infos, to_winrate
from igo.agents.kata_analysis.estimate import Estimate, Estimator
from igo.agents.kata_analysis.query import Query, Turn
from igo.go.coords import Color, to_gtp
from igo.search.mcts import MultiSearch
from igo.search.result import SearchResult, root_edges


def flips(query: Query, turn: Turn) -> bool:
    """Whether numbers from the side to move's view must turn to the other side's."""
    white = turn.state.to_play == Color.WHITE
    return (query.perspective == "BLACK" and white) or (query.perspective == "WHITE" and not white)


def answer(
    query: Query,
    turn: Turn,
    result: SearchResult,
    search: MultiSearch,
    tree: int,
    estimator: Estimator,
    during: bool,
) -> dict[str, Any]:
    """The answer for ``turn`` after ``result`` of tree ``tree`` (interim when ``during``)."""
    size, flip = turn.state.size, flips(query, turn)
    # The playouts are from black's view; the side to move's view first, then the perspective.
    to_move = 1.0 if turn.state.to_play == Color.BLACK else -1.0
    view = -1.0 if flip else 1.0
    infos = []
    for info in move_infos(result, search, tree, pv_length=query.pv_length + 1):
        est = estimator.line(info.pv)
        win = info.winrate if not flip else 1.0 - info.winrate
        lcb = info.lcb if not flip else 1.0 - info.lcb
        item: dict[str, Any] = {
            "move": to_gtp(info.move, size),
            "visits": info.visits,
            "edgeVisits": info.visits,
            "winrate": win,
            "scoreLead": view * to_move * est.lead,
            "scoreMean": view * to_move * est.lead,
            "scoreSelfplay": view * to_move * est.lead,
            "scoreStdev": est.stdev,
            "prior": info.prior,
            "utility": 2.0 * win - 1.0,
            "lcb": lcb,
            "utilityLcb": 2.0 * lcb - 1.0,
            "order": info.order,
            "pv": [to_gtp(move, size) for move in info.pv],
        }
        if query.include_pv_visits:
            item["pvVisits"] = pv_visits(search, tree, info.pv)
        if query.include_moves_ownership:
            item["ownership"] = _ownership(est, view * to_move)
        infos.append(item)
    out: dict[str, Any] = {
        "id": query.id,
        "isDuringSearch": during,
        "turnNumber": turn.number,
        "moveInfos": infos,
        "rootInfo": root_info(turn, result, search, tree, estimator.root(), flip),
    }
    if query.include_ownership:
        out["ownership"] = _ownership(estimator.root(), view * to_move)
    return out


def root_info(
    turn: Turn, result: SearchResult, search: MultiSearch, tree: int, est: Estimate, flip: bool
) -> dict[str, Any]:
    """KataGo's ``rootInfo``: the root's own statistics (all its visits)."""
    state = turn.state
    win = to_winrate(result.root_value)
    win = 1.0 - win if flip else win
    sign = (1.0 if state.to_play == Color.BLACK else -1.0) * (-1.0 if flip else 1.0)
    arrays = search.tree_arrays(tree)
    visits = int(arrays.visit_count[0]) if arrays is not None else int(result.visit_counts.sum())
    return {
        "currentPlayer": "B" if state.to_play == Color.BLACK else "W",
        "winrate": win,
        "scoreLead": sign * est.lead,
        "scoreSelfplay": sign * est.lead,
        "scoreStdev": est.stdev,
        "utility": 2.0 * win - 1.0,
        "visits": visits,
        "thisHash": f"{state.hash & ((1 << 64) - 1):016X}",
    }


def pv_visits(search: MultiSearch, tree: int, pv: tuple[int, ...]) -> list[int]:
    """The visits of the node each move of ``pv`` leads to."""
    t = search.tree_arrays(tree)
    out: list[int] = []
    node = 0
    for move in pv:
        if t is None:
            break
        moves, _, children = root_edges(t, node)
        hit = np.flatnonzero(moves == move)
        if hit.size == 0 or children[hit[0]] < 0:
            break
        node = int(children[hit[0]])
        out.append(int(t.visit_count[node]))
    return out + [0] * (len(pv) - len(out))


def _ownership(est: Estimate, sign: float) -> list[float]:
    """Row-major from the top-left point (igo's flat order), +1 for the perspective's side."""
    return [round(float(v), 6) for v in sign * est.ownership]


def policy(priors: np.ndarray, legal: np.ndarray) -> list[float]:
    """KataGo's ``policy``: the raw priors [P + 1] (pass last), -1 on illegal moves."""
    return [float(p) if ok else -1.0 for p, ok in zip(priors, legal, strict=True)]


def no_results(query_id: str, turn: int) -> dict[str, Any]:
    """The answer of a turn terminated before any search."""
    return {"id": query_id, "isDuringSearch": False, "noResults": True, "turnNumber": turn}
