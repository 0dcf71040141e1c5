"""KataGo's JSON analysis engine protocol (``igo analysis``): many positions searched at once.

One JSON query a line on stdin, answers as JSON lines on stdout, as KataGo's
docs/Analysis_Engine.md describes them. The parts, each small:

- ``query.py``: what a query asks for, as frozen dataclasses (``Query``, ``Turn``, ``Action``).
- ``protocol.py``: one input line -> a query or an action, plus KataGo's errors and warnings.
- ``moves.py``: the positions of a query (initial stones, moves, turns) and its root move filters.
- ``estimate.py``: the score and ownership estimate from random playouts (igo's nets have no
  score head).
- ``answers.py``: a searched turn -> KataGo's answer object.
- ``scheduler.py``: every pending turn stepped through one ``MultiSearch`` (one tree each, their
  leaves in shared network batches).
- ``engine.py``: the loop: a reader thread feeding a queue, the scheduler, the writer.
"""
