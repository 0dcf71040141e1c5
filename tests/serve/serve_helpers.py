"""Helpers of the serve tests: a served app on a cheap player (``mcts`` with few visits: no
network, no torch, 9x9) and a reader of Server-Sent Events. (``tests/serve`` is on the import
path, as pytest puts every test folder there.)"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from igo.agents import create_player
from igo.serve.server import ServeConfig, build

PLAYER = os.environ.get("IGO_SERVE_TEST_PLAYER", "mcts")
"""The player served: ``mcts`` (no network) for the tests; the docs' screenshots take ``zero``."""
VISITS = int(os.environ.get("IGO_SERVE_TEST_VISITS", "24"))
"""igo's visits a move in these tests: few, so that its moves come quickly."""

GAME = b"(;GM[1]FF[4]SZ[9]KM[7.5]RU[Chinese]PB[Alice]PW[Bob];B[ee]C[the centre];W[cc];B[gc];W[cg])"
"""A short 9x9 record."""


def make_app(watch: Path | None = None) -> Any:
    """An app (with its search thread started) on ``PLAYER`` at ``VISITS`` visits."""
    player = create_player(PLAYER, visits=VISITS, seed=1)
    config = ServeConfig(size=9, graph_visits=min(VISITS, 64), parallel=4, watch=watch)
    _, app = build(player, config)
    return app


def free_port() -> int:
    """A TCP port free on this machine now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def read_events(client: TestClient, path: str) -> list[dict[str, Any]]:
    """Every data event of a Server-Sent Events stream, until its end."""
    out = []
    with client.stream("GET", path) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        kind = None
        for line in response.iter_lines():
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                if kind == "end":
                    break
                out.append(json.loads(line[6:]))
                kind = None
    return out
