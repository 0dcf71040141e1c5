"""Training (layer L5): losses, the Zero training steps, gating and the resumable Zero loop.

``run_zero`` (``orchestrate.py``) runs self-play -> train -> gate in one run directory; its
settings are ``ZeroConfig`` (``zero_config.py``), composed of ``SelfPlayConfig``,
``TrainConfig`` and ``GateConfig``. Imported on demand: it brings in torch.
"""
