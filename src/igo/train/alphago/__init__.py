"""The AlphaGo (Lee) pipeline (``igo alphago``): records -> shards -> rollout and tree policies ->
SL policy net -> RL policy net -> value data -> value net -> evaluation, in one resumable run
folder (``igo.run_dir.AlphaGoRunDir``).

- ``pipeline.py``: ``run_alphago``, the stages in order, each skipped once done.
- ``pipeline_config.py``: ``AlphaGoConfig`` and its sections, its presets (``ALPHAGO_CONFIGS``).
- ``rollout_policy_stage.py``: the rollout and tree policies (pattern softmax) by SGD.
- ``sl_policy_stage.py``, ``value_net_stage.py``: the SL policy and value networks, on
  ``supervised_data.py`` (shards -> planes, symmetries) and ``supervised_loop.py`` (the
  resumable SGD loop and its files).
- ``rl_policy_stage.py``: the RL policy network by REINFORCE against a pool of its versions.
- ``evaluate_stage.py``: the arena of the parts against a reference engine, and its report.

Imported on demand: it brings in torch.
"""
