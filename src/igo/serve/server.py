"""Start the server: the player's search thread, the application, uvicorn on a local port."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from igo.agents.kata_analysis.query import EngineSettings
from igo.agents.player import Player, board_sizes_of, prepare_player
from igo.go.coords import MAX_SIZE, MIN_SIZE
from igo.serve.app import ServeInfo, create_app
from igo.serve.worker import Worker


@dataclass(frozen=True)
class ServeConfig:
    """Where the server listens and what it analyses with."""

    host: str = "127.0.0.1"
    """The address to listen on (the default is this machine only)."""
    port: int = 8000
    """The TCP port (0: any free one)."""
    size: int = 9
    """The board size a new game starts with."""
    graph_visits: int = 64
    """Visits of each position's search for an uploaded record's win-rate graph."""
    parallel: int = 8
    """Positions the analysis engine searches at once (one tree each, shared batches)."""
    watch: Path | None = None
    """A run folder whose newest game the Watch view shows (None: no Watch view)."""


def build(player: Player, config: ServeConfig) -> tuple[Worker, object]:
    """The started search thread and the application for ``player`` (prepared here)."""
    prepare_player(player)
    settings = EngineSettings(
        max_visits=config.graph_visits,
        max_visits_cap=max(config.graph_visits, EngineSettings().max_visits_cap),
        perspective="BLACK",
        parallel=config.parallel,
        score_playouts=4,  # the page shows win rates; the score estimate costs playouts
        pv_length=10,
    )
    worker = Worker(player, settings)
    worker.start()
    sizes = board_sizes_of(player) or tuple(range(MIN_SIZE, MAX_SIZE + 1))
    info = ServeInfo(player.name, tuple(sizes), config.size, getattr(player, "visits", None))
    return worker, create_app(worker, info, config.watch, config.graph_visits)


def run(player: Player, config: ServeConfig) -> int:
    """Serve until interrupted (Ctrl-C); returns the exit status."""
    import uvicorn

    _, app = build(player, config)
    server = uvicorn.Server(
        uvicorn.Config(app, host=config.host, port=config.port, log_level="warning")  # type: ignore[arg-type]
    )
    host = f"[{config.host}]" if ":" in config.host else config.host
    print(f"igo serve: http://{host}:{config.port}/ (Ctrl-C stops)", file=sys.stderr, flush=True)
    server.run()
    return 0
