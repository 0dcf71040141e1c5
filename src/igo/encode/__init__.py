"""Layer 1, encoding: Go positions -> network arrays (NumPy only; never torch).

| module          | responsibility                                                       |
|-----------------|----------------------------------------------------------------------|
| ``moves``       | move <-> policy index (pass is the last of size*size + 1 entries)    |
| ``zero_planes`` | AlphaGo Zero planes: 2H + 1 planes of stone history and colour       |
| ``alphago``     | AlphaGo planes: the 48 features of Extended Data Table 2 (+1 colour) |
| ``symmetry``    | the 8 dihedral transforms of planes, policies and points; augment    |
| ``features``    | compiled per-string and per-move facts behind the AlphaGo planes     |
| ``ladder``      | compiled ladder reading for the ladder-capture and -escape planes    |
| ``batch``       | one encoder over a batch of positions (one board size), stacked      |
"""

from igo.encode.alphago import NUM_PLANES, NUM_VALUE_PLANES, encode_alphago, encode_alphago_batch
from igo.encode.moves import index_to_move, move_to_index, one_hot_policy, policy_size
from igo.encode.symmetry import (
    NUM_SYMMETRIES,
    apply_planes,
    apply_point,
    apply_policy,
    augment,
    evaluation_symmetry,
    inverse,
    random_symmetry,
)
from igo.encode.zero_planes import (
    ZeroHistory,
    encode_zero,
    encode_zero_batch,
    num_zero_planes,
    zero_planes_batch,
)

__all__ = [
    "NUM_PLANES",
    "NUM_SYMMETRIES",
    "NUM_VALUE_PLANES",
    "ZeroHistory",
    "apply_planes",
    "apply_point",
    "apply_policy",
    "augment",
    "evaluation_symmetry",
    "encode_alphago",
    "encode_alphago_batch",
    "encode_zero",
    "encode_zero_batch",
    "index_to_move",
    "inverse",
    "move_to_index",
    "num_zero_planes",
    "one_hot_policy",
    "policy_size",
    "random_symmetry",
    "zero_planes_batch",
]
