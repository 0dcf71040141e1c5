"""The AlphaGo Zero pipeline (``igo zero``): self-play -> train -> gate, one generation at a time,
in one resumable run folder (``igo.run_dir.ZeroRunDir``).

- ``loop.py``: ``run_zero``, the loop and its phases, resumable after a kill at any point.
- ``loop_config.py``: ``ZeroConfig`` (and ``GateConfig``), its presets (``ZERO_CONFIGS``).
- ``loop_state.py``: ``ZeroState``, the run's position, saved after every step.
- ``training_step.py``: the training steps on the replay window; ``loss.py``: their loss.
- ``gate.py``: a candidate against the best network, by win rate or SPRT, or no gate.
- ``resign_calibration.py``: the resignation threshold from the run's played-out games.
- ``learning_curve.py``: ``igo zero --curve``, every generation rated against GNU Go.
- ``generation_summary.py``: a finished generation's numbers and its log line.
- ``ray_selfplay.py``, ``ray_learner.py``: ``igo zero --ray``, self-play on Ray actors (the
  ``distributed`` extra, imported only there).
- ``carry.py``: the run's continuation state carried (e.g. in the repository) and restored.

Imported on demand: it brings in torch.
"""
