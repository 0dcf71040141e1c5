"""``Recent``: the last few items of a kind (games, uploads) by id, the oldest dropped beyond a
cap, so that a server left open for days keeps bounded memory."""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Recent(Generic[T]):
    """Items by id (``prefix`` and a counter), at most ``cap`` of them."""

    def __init__(
        self, prefix: str, cap: int, noun: str, on_drop: Callable[[T], None] | None = None
    ) -> None:
        self.prefix, self.cap, self.noun, self.on_drop = prefix, cap, noun, on_drop
        self._items: OrderedDict[str, T] = OrderedDict()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def add(self, make: Callable[[str], T]) -> T:
        """``make(new_id)``, kept; the oldest beyond the cap is dropped (``on_drop`` hears)."""
        with self._lock:
            key = f"{self.prefix}{next(self._ids)}"
            item = self._items[key] = make(key)
            while len(self._items) > self.cap:
                _, old = self._items.popitem(last=False)
                if self.on_drop is not None:
                    self.on_drop(old)
        return item

    def get(self, key: str) -> T:
        """The item ``key``; LookupError with a message for the page if there is none."""
        with self._lock:
            item = self._items.get(key)
        if item is None:
            raise LookupError(f"no {self.noun} {key!r} (the server keeps the last {self.cap})")
        return item
