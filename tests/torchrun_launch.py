"""``torchrun`` for the multi-process tests (data and model parallelism): a script or ``-m``
module on N local processes over gloo, on a free port. Any test imports it as
``torchrun_launch`` (pytest puts ``tests/`` on the import path, as for ``search_fakes``)."""

from __future__ import annotations

import socket
import subprocess
import sys


def torchrun(args: list[str], processes: int = 2) -> subprocess.CompletedProcess[str]:
    """Run ``python -m torch.distributed.run --nproc_per_node PROCESSES ARGS`` and return it
    finished (its output captured), failing the test if it exits non-zero."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [
        sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", str(processes),
        "--master_addr", "127.0.0.1", "--master_port", str(port), *args,
    ]  # fmt: skip
    # A hang guard, not a speed claim: a loaded machine starts 2 processes slowly.
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done
