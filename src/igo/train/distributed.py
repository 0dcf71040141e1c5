"""Synchronous data parallelism: the one home of igo's ``torch.distributed`` plumbing.

A trainer started by ``torchrun`` (``torchrun --nproc_per_node W -m igo ...``) runs as W
processes, the ranks. Each builds the same network from the same seed and draws the same global
minibatch of B positions from the same sampler RNG as a one-process run would; it keeps its own
slice of B / W of them (``shard``), and ``DistributedDataParallel`` averages the ranks'
gradients before every optimiser step, so W ranks take the steps one process with batch B takes
(Dean et al. 2012's synchronous data parallelism; the mean of the W slice means is the batch
mean). Only rank 0 writes files (checkpoints through ``igo.files``' atomic writes, logs, reports).

| piece               | what                                                                    |
|---------------------|-------------------------------------------------------------------------|
| ``process_group``   | a context: joins torchrun's group (its ``RANK``, ``WORLD_SIZE``,        |
|                     | ``LOCAL_RANK``, ``MASTER_ADDR``/``PORT`` variables), gloo on CPU, NCCL  |
|                     | on CUDA; outside torchrun it does nothing (one process, rank 0 of 1)    |
| ``ranks``           | this process's ``Ranks`` (rank 0 of 1 outside a group)                 |
| ``local_device``    | the device of this rank: ``cuda:LOCAL_RANK`` on CUDA                   |
| ``wrap``            | the network as DDP (batch norm made ``SyncBatchNorm`` on CUDA)         |
| ``shard``           | this rank's slice of a global minibatch                                 |
| ``barrier``         | waits for every rank (nothing in one process)                          |
| ``from_main``       | rank 0's value of a (picklable) object on every rank                   |
| ``gather_to_main``  | every rank's value of an object, on rank 0                              |

Batch norm: DDP normalises each rank's slice by its own statistics unless the layers are
``SyncBatchNorm``, which torch runs on GPUs only (CPU input raises); so on CPU a batch-norm net
is trained with per-rank statistics (as AlphaGo Zero's 64 GPUs were) and its running statistics
are rank 0's (DDP broadcasts the buffers), close to but not bit-equal with one process. Norms
without batch statistics (none, layer, group, instance) give the same steps as one process.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

TIMEOUT = timedelta(hours=2)
"""How long a rank waits at a collective (rank 0 alone evaluates and writes the report while the
others wait at the stage's last barrier)."""
T = TypeVar("T")
TORCHRUN_VARIABLES = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")
"""The environment torchrun gives each process it starts."""


@dataclass(frozen=True)
class Ranks:
    """Where this process stands in its process group."""

    rank: int = 0
    """This process's rank, 0 .. world_size - 1."""
    world_size: int = 1
    """Processes training together."""
    local_rank: int = 0
    """This process's rank on its machine (its GPU index)."""

    @property
    def is_main(self) -> bool:
        """Whether this is rank 0, the one that writes files."""
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        """Whether more than one process trains."""
        return self.world_size > 1


def under_torchrun() -> bool:
    """Whether torchrun (or another launcher with its variables) started this process."""
    return all(name in os.environ for name in TORCHRUN_VARIABLES)


def ranks() -> Ranks:
    """This process's ranks: from the process group when one is joined, else rank 0 of 1."""
    if not (dist.is_available() and dist.is_initialized()):
        return Ranks()
    return Ranks(dist.get_rank(), dist.get_world_size(), int(os.environ.get("LOCAL_RANK", "0")))


@contextmanager
def process_group() -> Iterator[Ranks]:
    """Join torchrun's process group for the body (gloo, NCCL when CUDA is present), leaving it
    afterwards; outside torchrun, or in a group already joined, nothing is joined or left."""
    if not under_torchrun() or (dist.is_available() and dist.is_initialized()):
        yield ranks()
        return
    backend = "nccl" if torch.cuda.is_available() else "gloo"
    if backend == "nccl":
        torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    dist.init_process_group(backend, timeout=TIMEOUT)
    try:
        yield ranks()
    finally:
        dist.destroy_process_group()


def local_device(device: torch.device) -> torch.device:
    """``device`` for this rank: on CUDA in a group (even of one rank), the GPU of its local
    rank."""
    if device.type == "cuda" and dist.is_available() and dist.is_initialized():
        return torch.device("cuda", ranks().local_rank)
    return device


def wrap(net: torch.nn.Module, device: torch.device) -> torch.nn.Module:
    """``net`` itself outside a process group; in one (even of one rank: torchrun
    ``--nproc_per_node 1``, scripts/gpu_check.sh's DDP step), ``net`` under DDP (its batch norm
    layers made ``SyncBatchNorm`` on CUDA, in place, so the caller's ``net`` keeps the trained
    weights)."""
    if not (dist.is_available() and dist.is_initialized()):
        return net
    if device.type == "cuda":
        torch.nn.SyncBatchNorm.convert_sync_batchnorm(net)  # type: ignore[no-untyped-call]
        return DistributedDataParallel(net, device_ids=[device.index])
    return DistributedDataParallel(net)


def check_batch(batch_size: int) -> None:
    """Raise ValueError unless every rank gets the same share of a ``batch_size`` minibatch."""
    world = ranks().world_size
    if batch_size % world:
        raise ValueError(
            f"batch_size {batch_size} does not split over {world} processes: use a multiple of "
            f"{world} (each process takes batch_size / {world} of every minibatch)"
        )


def shard(batch_size: int) -> slice:
    """This rank's slice of a global minibatch of ``batch_size`` (``check_batch`` first)."""
    here = ranks()
    share = batch_size // here.world_size
    return slice(here.rank * share, (here.rank + 1) * share)


def barrier() -> None:
    """Wait until every rank gets here (returns at once in one process)."""
    if ranks().distributed:
        dist.barrier()


def from_main(value: T) -> T:
    """Rank 0's ``value`` on every rank (the others' ``value`` is ignored; they wait for it up to
    ``TIMEOUT``); ``value`` itself in one process."""
    if not ranks().distributed:
        return value
    box: list[object] = [value]
    dist.broadcast_object_list(box, src=0)
    return box[0]  # type: ignore[return-value]


def gather_to_main(value: T) -> list[T] | None:
    """Every rank's ``value`` in rank order on rank 0 (None on the others); ``[value]`` in one
    process."""
    here = ranks()
    if not here.distributed:
        return [value]
    gathered: list[object] | None = [None] * here.world_size if here.is_main else None
    dist.gather_object(value, gathered, dst=0)
    return gathered  # type: ignore[return-value]
