"""Game review (``igo review``): every position of a record searched together, then an annotated
SGF and a report.

- ``analyse.py``: a record's positions through the analysis engine's scheduler (one tree each,
  their leaves in shared network batches) -> ``PositionAnalysis`` per position, black's view.
- ``judge.py``: each move's win-rate loss against the search's best move, and its label
  (inaccuracy, mistake, blunder; tesuji for an only move found).
- ``annotate.py``: the annotated SGF: comments, ``BM`` / ``DO`` / ``TE`` marks, the best line as
  a variation where the played move was not the best.
- ``report.py``: the markdown report (biggest mistakes of each side) and the win-rate graph.
- ``files.py``: one input file -> its three outputs, written atomically, skipped when up to date.
"""
