"""A compressed Zero net against the original at equal visits: 400 games in one process.

``igo match`` starts two ``igo gtp`` processes for every game (about 4.5 s of CPU each here,
torch and the compiled search loaded again), which at a few dozen visits a move costs more than
the games. This plays the same pairing with the Zero gate's in-process match
(``igo.selfplay.net_match.play_match``): ``--parallel`` games at once, each side's leaves in one
batched call, colours alternating (game i: the first net is black when i is even), no noise,
the first 4 moves sampled by visits so that the games differ, one random board symmetry per
evaluation (the players' default), resignation below ``--resign`` (default -0.9, the players'),
Chinese area scoring with dead stones estimated, komi 7. Any Zero checkpoint plays: an ``.onnx``
one (int8) on ONNX Runtime, the others in torch.

Resumable: games run in chunks of ``--chunk`` with their own seeds (base seed + chunk); each
finished game is a line of ``OUT.jsonl``; a rerun skips finished chunks and replays a chunk
whose games were cut off. The summary (score, Wilson 95% interval, Elo, black's wins,
resignations, mean game length in all and by outcome) is printed and written to ``OUT.json``;
``--summarize`` writes it from an existing ``OUT.jsonl`` without playing.

    python benchmarks/compress_arena.py --first src/igo/weights/zero-9x9.safetensors \
        --second zero-int8.onnx --games 400 --visits 32 --out results/zero-int8-v32
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

from igo.agents.nets import zero_evaluator
from igo.eval.summary import elo_from_score, wilson_interval
from igo.files import write_text_atomic
from igo.nn.threads import torch_threads
from igo.selfplay.net_match import MatchGame, play_match
from igo.selfplay.selfplay_config import SelfPlayConfig
from igo.train.zero.loop_config import GATE_SEARCH


def read_games(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def summary(games: list[dict], names: tuple[str, str], visits: int) -> dict:
    n = len(games)
    points = sum(g["first_score"] for g in games)
    low, high = wilson_interval(points, n)
    score = points / n if n else 0.0
    return {
        "first": names[0],
        "second": names[1],
        "visits": visits,
        "games": n,
        "first_wins": sum(g["first_score"] == 1.0 for g in games),
        "draws": sum(g["first_score"] == 0.5 for g in games),
        "first_score": score,
        "score_95": [low, high],
        "elo_first_minus_second": elo_from_score(score) if n else None,
        "elo_95": [elo_from_score(low), elo_from_score(high)],
        "black_wins": sum(g["winner"] == 1 for g in games),
        "mean_moves": sum(g["num_moves"] for g in games) / n if n else 0.0,
        "resignations": sum(g["result"].endswith("+R") for g in games),
        "mean_moves_by_outcome": {
            outcome: _mean_moves([g for g in games if g["first_score"] == points])
            for outcome, points in (("first_wins", 1.0), ("draws", 0.5), ("second_wins", 0.0))
        },
    }


def _mean_moves(games: list[dict]) -> float | None:
    """The games' mean length (None for no games): whether one side wins long games or short ones
    (an early pass ends short ones)."""
    return sum(g["num_moves"] for g in games) / len(games) if games else None


def write_summary(games: list[dict], names: tuple[str, str], visits: int, out_json: Path) -> None:
    s = summary(games, names, visits)
    write_text_atomic(out_json, json.dumps(s, indent=2) + "\n")
    print(json.dumps(s))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first", required=True, help="the original (fp32) Zero checkpoint")
    parser.add_argument("--second", required=True, help="the compressed checkpoint")
    parser.add_argument("--names", nargs=2, default=None, help="names of the two nets")
    parser.add_argument("--games", type=int, default=400)
    parser.add_argument("--visits", type=int, default=32)
    parser.add_argument("--parallel", type=int, default=25, help="games at once")
    parser.add_argument("--chunk", type=int, default=50, help="games per resumable chunk")
    parser.add_argument("--resign", type=float, default=-0.9)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--out", required=True, help="OUT.jsonl (games) and OUT.json (summary)")
    parser.add_argument(
        "--summarize", action="store_true", help="write OUT.json from OUT.jsonl, play nothing"
    )
    args = parser.parse_args()
    names = tuple(args.names or (Path(args.first).stem, Path(args.second).stem))
    jsonl, out_json = Path(args.out + ".jsonl"), Path(args.out + ".json")
    jsonl.parent.mkdir(parents=True, exist_ok=True)
    games = read_games(jsonl)
    if args.summarize:
        write_summary(games, names, args.visits, out_json)
        return
    game_config = SelfPlayConfig(rules="chinese", komi=7.0, scoring="estimate", device="cpu")
    search = replace(GATE_SEARCH, num_simulations=args.visits)
    start = time.monotonic()
    for chunk in range((args.games + args.chunk - 1) // args.chunk):
        size = min(args.chunk, args.games - chunk * args.chunk)
        kept = [g for g in games if g["chunk"] != chunk]
        if len(games) - len(kept) == size:
            continue
        games = kept  # a chunk cut off is played again whole, with the same seed
        write_text_atomic(jsonl, "".join(json.dumps(g) + "\n" for g in games))
        seed = args.seed * 1000 + chunk
        evaluators = (
            zero_evaluator(args.first, "cpu", "random", seed),
            zero_evaluator(args.second, "cpu", "random", seed + 500),
        )

        def record(game: MatchGame, chunk: int = chunk, games: list[dict] = games) -> None:
            row = {
                "chunk": chunk,
                "index": chunk * args.chunk + game.index,
                "first_is_black": game.first_is_black,
                "winner": game.winner,
                "result": game.result,
                "num_moves": game.num_moves,
                "first_score": game.first_score,
            }
            games.append(row)
            with jsonl.open("a", encoding="utf-8") as f:
                f.write(json.dumps(row) + "\n")

        with torch_threads(1):
            play_match(
                evaluators,
                game_config,
                search,
                size,
                parallel_games=args.parallel,
                seed=seed,
                resign_threshold=args.resign,
                names=names,
                on_game=record,
            )
        s = summary(games, names, args.visits)
        print(
            f"chunk {chunk}: {s['games']} games, {names[0]} {s['first_score']:.3f} "
            f"[{s['score_95'][0]:.3f}-{s['score_95'][1]:.3f}], {time.monotonic() - start:.0f} s",
            flush=True,
        )
    write_summary(games, names, args.visits, out_json)


if __name__ == "__main__":
    main()
