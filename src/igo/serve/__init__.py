"""Layer 11: ``igo serve``, a browser board: play igo, review a record, watch a run.

A Starlette application (``app.py``) serves a small hand-written JavaScript board
(``static/``: plain JS and SVG, no build step) and a JSON API; one search thread (``worker.py``)
runs igo's moves and the analysis engine of ``igo analysis`` and streams their reports as
Server-Sent Events (``channels.py``). Games live in ``games.py``, uploaded records and watched
folders in ``records.py`` (the last few kept by ``recent.py``), boards and queries in
``positions.py``; ``server.py`` starts it all. Nothing here imports torch: the player does, when
it loads its networks. See docs/serve.md.
"""
