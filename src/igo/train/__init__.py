"""Layer 8, training: the two learning pipelines and what they share.

- ``zero/``: the AlphaGo Zero pipeline (``run_zero``, ``igo zero``).
- ``alphago/``: the AlphaGo (Lee) pipeline (``run_alphago``, ``igo alphago``).
- shared: ``config_loader.py`` (presets, ``--set`` overrides, TOML, the resume check for any
  pipeline's config), ``training_config.py`` (``TrainConfig``: optimiser and learning-rate
  schedule), ``trainer.py`` (network + optimiser + sampler RNG and their checkpoint),
  ``training_logs.py`` (CSV and TensorBoard logs).

Run folders (layouts, lock, saved config) are ``igo.run_dir``'s. Imported on demand: it brings
in torch.
"""
