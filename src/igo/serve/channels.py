"""Events from the search thread to the web server's streams: an append-only list per stream.

The worker thread appends events; each Server-Sent Events response reads them from its own
cursor, so several browser tabs can follow one stream and a reconnecting one can start over. No
event loop is touched from the worker thread: readers poll (``POLL`` seconds), which costs
nothing next to a search slice.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from typing import Any

POLL = 0.05
"""Seconds between a stream's checks for new events."""


class Channel:
    """One stream of JSON events, closed once its last event is in."""

    def __init__(self) -> None:
        self._events: list[dict[str, Any]] = []
        self._closed = False
        self._lock = threading.Lock()

    def put(self, event: dict[str, Any]) -> None:
        """Add ``event`` (ignored once closed)."""
        with self._lock:
            if not self._closed:
                self._events.append(event)

    def close(self, last: dict[str, Any] | None = None) -> None:
        """Add ``last`` (if given) and end the stream."""
        with self._lock:
            if not self._closed and last is not None:
                self._events.append(last)
            self._closed = True

    @property
    def closed(self) -> bool:
        """Whether the stream has ended."""
        return self._closed

    def since(self, cursor: int) -> tuple[list[dict[str, Any]], bool]:
        """The events from ``cursor`` on, and whether the stream has ended."""
        with self._lock:
            return self._events[cursor:], self._closed

    async def sse(self) -> AsyncIterator[str]:
        """The events as Server-Sent Events text, until the stream ends."""
        cursor = 0
        while True:
            events, closed = self.since(cursor)
            cursor += len(events)
            for event in events:
                yield f"data: {json.dumps(event, separators=(',', ':'))}\n\n"
            if closed and not events:
                yield "event: end\ndata: {}\n\n"
                return
            if not events:
                await asyncio.sleep(POLL)
