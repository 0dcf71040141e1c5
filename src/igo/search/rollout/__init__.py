"""AlphaGo's rollout and tree policies (Silver et al. 2016): pattern features, linear softmaxes,
and the compiled rollouts that sample from them. The PUCT search takes a policy as an object
(``MultiSearch(rollout_policy=..., tree_policy=TreePolicyEvaluator(...))``) and reads it only
through ``RolloutTables`` and ``playout.policy_playout``.

| module           | what it holds                                                              |
|------------------|----------------------------------------------------------------------------|
| ``patterns``     | the features: point states, 3x3 and 12-point pattern codes, tactics        |
| ``candidates``   | a position's sensible moves and their raw feature keys, from scratch       |
| ``tables``       | key -> weight hash tables: ``RolloutTables``, a policy as compiled code    |
|                  | reads it                                                                   |
| ``incremental``  | a rollout's scratch state (codes, weights, row sums), updated move by move |
| ``playout``      | the compiled rollout that samples moves from the softmax                   |
| ``policy``       | ``RolloutPolicy``: weights and vocabulary, its ``.npz`` file, move         |
|                  | probabilities                                                              |
| ``tree_policy``  | ``TreePolicyEvaluator``: the tree policy as the search's Evaluator         |
"""

from igo.search.rollout.policy import (
    KINDS,
    RolloutPolicy,
    read_policy_file,
    rollout_tables,
    tables_of,
)
from igo.search.rollout.tables import RolloutTables, no_tables
from igo.search.rollout.tree_policy import TreePolicyEvaluator

__all__ = [
    "KINDS",
    "RolloutPolicy",
    "RolloutTables",
    "TreePolicyEvaluator",
    "no_tables",
    "read_policy_file",
    "rollout_tables",
    "tables_of",
]
