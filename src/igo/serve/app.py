"""The web application: the page, its static files and the JSON API (Starlette).

| route | does |
|---|---|
| ``GET /`` | the page (``static/index.html``) |
| ``GET /api/info`` | the player, the sizes it plays, whether it analyses, the watched folder |
| ``POST /api/games`` ``{size, komi, color}`` | a new game against igo (igo moves first as black) |
| ``GET /api/games/{id}`` | the game |
| ``POST /api/games/{id}/move`` ``{move}`` | the person's move (``D4``, ``pass``); igo then thinks |
| ``POST /api/games/{id}/undo``, ``.../resign`` | take back a move pair, resign |
| ``GET /api/games/{id}/thinking`` | Server-Sent Events of igo's last search: its analysis |
|   | answers, then ``{"state": game}`` |
| ``GET /api/games/{id}/analysis`` | Server-Sent Events: the analysis engine on the position |
| ``POST /api/records`` (SGF body or multipart ``file``) | an uploaded record; its analysis starts |
| ``GET /api/records/{id}`` | the record: boards, moves, comments |
| ``GET /api/records/{id}/analysis`` | Server-Sent Events: the analysis answers of its positions |
| ``GET /api/watch`` | the newest game of the watched folder |

Every error is a JSON object ``{"error": message}`` with a 4xx status (5xx: a bug, logged, its
message only); no traceback reaches the page. Bodies are capped (``MAX_JSON``, ``MAX_SGF``).
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from igo.serve.channels import Channel
from igo.serve.games import GameError, Games
from igo.serve.records import RecordError, Records, Watch
from igo.serve.worker import Worker

LOG = logging.getLogger("igo.serve")
STATIC = Path(__file__).parent / "static"
MAX_JSON = 64 * 1024
"""Bytes a JSON request body may have."""
MAX_SGF = 1024 * 1024
"""Bytes an SGF upload may have (a long 19x19 game with comments is some tens of kB)."""


class ApiError(Exception):
    """A request refused: its message and HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class ServeInfo:
    """What the page is told about the server."""

    player: str
    """The player's name."""
    sizes: tuple[int, ...]
    """The board sizes it plays."""
    default_size: int
    """The size a new game starts with."""
    visits: int | None
    """Its visits a move (None: it does not search)."""


async def body(request: Request, limit: int) -> bytes:
    """The request body, refused (413) beyond ``limit`` bytes, before reading it all."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError(f"request body too large: over {limit} bytes", 413)
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            raise ApiError(f"request body too large: over {limit} bytes", 413)
    return bytes(data)


async def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object."""
    data = await body(request, MAX_JSON)
    try:
        value = json.loads(data or b"{}")
    except (ValueError, UnicodeDecodeError) as err:
        raise ApiError(f"the request body is not JSON: {err}") from err
    if not isinstance(value, dict):
        raise ApiError("the request body must be a JSON object")
    return value


def events(channel: Channel, stop: Callable[[Channel], None] | None = None) -> StreamingResponse:
    """A channel as a Server-Sent Events response; ``stop(channel)`` if the page goes away
    before the stream ends."""
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}

    async def stream() -> AsyncIterator[str]:
        try:
            async for text in channel.sse():
                yield text
        finally:
            if stop is not None and not channel.closed:
                stop(channel)

    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)


class Api:
    """The routes' handlers around a started ``worker`` (the search thread)."""

    def __init__(
        self, worker: Worker, info: ServeInfo, watch: Path | None, graph_visits: int
    ) -> None:
        self.worker, self.info, self.watch = worker, info, watch
        self.graph_visits = graph_visits
        self.games = Games(worker, info.sizes)
        self.records = Records(worker, graph_visits)
        self.watcher = Watch(watch) if watch is not None else None

    async def index(self, request: Request) -> Response:
        return FileResponse(STATIC / "index.html")

    async def get_info(self, request: Request) -> Response:
        info = self.info
        return JSONResponse(
            {
                "player": info.player,
                "sizes": list(info.sizes),
                "defaultSize": info.default_size,
                "visits": info.visits,
                "canAnalyse": self.worker.can_analyse,
                "graphVisits": self.graph_visits,
                "watch": None if self.watch is None else str(self.watch),
            }
        )

    async def new_game(self, request: Request) -> Response:
        given = await json_body(request)
        game = self.games.new(given.get("size"), given.get("komi", 7.5), given.get("color", "B"))
        return JSONResponse(game.view())

    async def get_game(self, request: Request) -> Response:
        return JSONResponse(self.games.get(request.path_params["id"]).view())

    async def move(self, request: Request) -> Response:
        given = await json_body(request)
        word = given.get("move")
        if not isinstance(word, str):
            raise ApiError('give the move as {"move": "D4"} (or "pass")')
        game = self.games.get(request.path_params["id"])
        game.play(word)
        return JSONResponse(game.view())

    async def undo(self, request: Request) -> Response:
        game = self.games.get(request.path_params["id"])
        game.undo()
        return JSONResponse(game.view())

    async def resign(self, request: Request) -> Response:
        game = self.games.get(request.path_params["id"])
        game.resign()
        return JSONResponse(game.view())

    async def thinking(self, request: Request) -> Response:
        game = self.games.get(request.path_params["id"])
        channel = game.thinking  # igo's last search, replayed if it is over
        if channel is None:  # none since the last change: the game as it stands
            channel = Channel()
            channel.close({"state": game.view()})
        return events(channel)

    async def analyse(self, request: Request) -> Response:
        game = self.games.get(request.path_params["id"])
        visits = self.info.visits or self.graph_visits
        try:
            channel = game.analyse(visits)
        except GameError as err:  # in the stream, where the page's EventSource reads it
            channel = Channel()
            channel.close({"error": str(err)})
        return events(channel, stop=self.worker.stop_analysis)

    async def upload(self, request: Request) -> Response:
        data, name = await _upload(request)
        added = self.records.add(data, name)
        return JSONResponse({"id": added.id, **added.view})

    async def get_record(self, request: Request) -> Response:
        added = self.records.get(request.path_params["id"])
        return JSONResponse({"id": added.id, **added.view})

    async def record_analysis(self, request: Request) -> Response:
        return events(self.records.get(request.path_params["id"]).graph)

    async def get_watch(self, request: Request) -> Response:
        if self.watcher is None:
            raise ApiError("no folder is watched: start igo serve with --watch FOLDER", 404)
        return JSONResponse(self.watcher.newest())

    def routes(self) -> list[Route | Mount]:
        """Every route (the table in the module docstring)."""
        post = ["POST"]
        return [
            Route("/", self.index),
            Route("/api/info", self.get_info),
            Route("/api/games", self.new_game, methods=post),
            Route("/api/games/{id}", self.get_game),
            Route("/api/games/{id}/move", self.move, methods=post),
            Route("/api/games/{id}/undo", self.undo, methods=post),
            Route("/api/games/{id}/resign", self.resign, methods=post),
            Route("/api/games/{id}/thinking", self.thinking),
            Route("/api/games/{id}/analysis", self.analyse),
            Route("/api/records", self.upload, methods=post),
            Route("/api/records/{id}", self.get_record),
            Route("/api/records/{id}/analysis", self.record_analysis),
            Route("/api/watch", self.get_watch),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ]


def create_app(worker: Worker, info: ServeInfo, watch: Path | None, graph_visits: int) -> Starlette:
    """The application around a started ``worker`` (the search thread)."""
    handlers: dict[Any, Any] = {
        ApiError: _api_error,
        GameError: _bad_request,
        RecordError: _bad_request,
        HTTPException: _http_error,
        Exception: _internal_error,
    }
    api = Api(worker, info, watch, graph_visits)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        worker.stop()  # no search left running while the interpreter exits

    return Starlette(routes=api.routes(), exception_handlers=handlers, lifespan=lifespan)


async def _upload(request: Request) -> tuple[bytes, str]:
    """An SGF upload: a multipart form's ``file``, or the raw body (``?name=`` names it)."""
    kind = request.headers.get("content-type", "")
    if kind.startswith("multipart/form-data"):
        declared = request.headers.get("content-length")
        if declared is None or not declared.isdigit():
            raise ApiError("a form upload needs a Content-Length", 411)
        if int(declared) > MAX_SGF + 4096:  # the file and the form's own lines
            raise ApiError(f"upload too large: an SGF file may have {MAX_SGF} bytes", 413)
        try:
            async with request.form(max_files=1, max_fields=4) as form:
                item = form.get("file")
                if item is None or isinstance(item, str):
                    raise ApiError("choose an SGF file to upload (form field 'file')")
                data = await item.read()
                name = item.filename or "upload.sgf"
        except ApiError:
            raise
        except Exception as err:  # a malformed form: one message
            raise ApiError(f"could not read the upload: {err}") from err
        if len(data) > MAX_SGF:
            raise ApiError(f"upload too large: an SGF file may have {MAX_SGF} bytes", 413)
        return data, name[:200]
    data = await body(request, MAX_SGF)
    if not data.strip():
        raise ApiError("the upload is empty: send an SGF file")
    return data, request.query_params.get("name", "upload.sgf")[:200]


async def _api_error(request: Request, exc: Exception) -> Response:
    status = exc.status if isinstance(exc, ApiError) else 400
    return JSONResponse({"error": str(exc)}, status_code=status)


async def _bad_request(request: Request, exc: Exception) -> Response:
    return JSONResponse({"error": str(exc)}, status_code=400)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code)


async def _internal_error(request: Request, exc: Exception) -> Response:
    LOG.error("igo serve: %s %s failed", request.method, request.url.path, exc_info=exc)
    return JSONResponse({"error": f"internal error: {type(exc).__name__}"}, status_code=500)
