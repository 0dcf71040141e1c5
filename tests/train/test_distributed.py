"""Synchronous data parallelism (``igo.train.distributed``): 2 processes under torchrun (gloo, CPU)
with global batch B end with the weights of 1 process with batch B after the same steps, also
when the 2 processes resume a run 1 process started; rank 0 alone writes; a batch that does not
split over the ranks is refused with one clear message."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from igo.train import distributed
from igo.train.alphago.sl_policy_stage import SlConfig
from igo.train.alphago.supervised_loop import (
    StageData,
    StagePaths,
    open_trainer,
    run_training,
    stage_net,
)
from igo.train.trainer import load_trainer
from torchrun_launch import torchrun

SIZE, PLANES, POSITIONS = 5, 48, 64
# Layer norm: no batch statistics, so the ranks' slices give the one-process batch's gradients
# exactly (batch norm would need SyncBatchNorm, which torch runs on GPUs only).
CONFIG = SlConfig(
    blocks=2, channels=8, norm="layer", steps=6, batch_size=8, learning_rate=0.05,
    lr_drop_at=0.5, checkpoint_every=3, torch_threads=1, seed=3,
)  # fmt: skip

WORKER = textwrap.dedent(
    """
    import json, sys
    from dataclasses import replace
    import numpy as np, torch
    from igo.nn.net import PolicyNet
    from igo.train import distributed
    from igo.train.alphago.sl_policy_stage import SlConfig, cross_entropy
    from igo.train.alphago.supervised_loop import (
        StageData, StagePaths, open_trainer, run_training, stage_net)

    config, data_path, out, answer = json.loads(sys.argv[1]), *sys.argv[2:]
    torch.set_num_threads(1)
    arrays = np.load(data_path)
    data = StageData(arrays["planes"], arrays["moves"], moves=True)
    with distributed.process_group() as ranks:
        config = SlConfig(**config)
        net = stage_net(config, arrays["planes"].shape[-1], PolicyNet, 48, "policy")
        trainer = open_trainer(StagePaths.of(out), net, config, torch.device("cpu"))
        run_training(trainer, config, data, cross_entropy, StagePaths.of(out),
                     evaluate=lambda n: {}, log_dir=None, progress=False,
                     device=torch.device("cpu"))
        try:
            distributed.check_batch(7)
            refused = ""
        except ValueError as err:
            refused = str(err)
        with open(f"{answer}.{ranks.rank}", "w") as handle:
            share = distributed.shard(8)
            json.dump({"rank": ranks.rank, "world": ranks.world_size, "refused": refused,
                       "share": [share.start, share.stop]}, handle)
    """
)


def _data(tmp_path: Path) -> tuple[StageData, Path]:
    rng = np.random.default_rng(0)
    planes = rng.integers(0, 2, size=(POSITIONS, PLANES, SIZE, SIZE), dtype=np.uint8)
    moves = rng.integers(0, SIZE * SIZE + 1, size=POSITIONS).astype(np.int64)
    path = tmp_path / "data.npz"
    np.savez(path, planes=planes, moves=moves)
    return StageData(planes, moves, moves=True), path


def _one_process(config: SlConfig, data: StageData, out: Path) -> dict[str, torch.Tensor]:
    from igo.nn.net import PolicyNet
    from igo.train.alphago.sl_policy_stage import cross_entropy

    torch.set_num_threads(1)
    net = stage_net(config, SIZE, PolicyNet, PLANES, "policy")
    paths = StagePaths.of(out)
    trainer = open_trainer(paths, net, config, torch.device("cpu"))
    run_training(
        trainer, config, data, cross_entropy, paths,
        evaluate=lambda n: {}, log_dir=None, progress=False, device=torch.device("cpu"),
    )  # fmt: skip
    return {k: v.clone() for k, v in trainer.net.state_dict().items()}


def _torchrun(tmp_path: Path, config: SlConfig, data: Path, out: Path) -> list[dict[str, object]]:
    script = tmp_path / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    fields = {k: getattr(config, k) for k in ("blocks", "channels", "norm", "steps", "batch_size")}
    fields |= {"learning_rate": config.learning_rate, "lr_drop_at": config.lr_drop_at}
    fields |= {"checkpoint_every": config.checkpoint_every, "seed": config.seed}
    answer = tmp_path / "answer"
    torchrun([str(script), json.dumps(fields), str(data), str(out), str(answer)])
    return [json.loads(Path(f"{answer}.{rank}").read_text()) for rank in (0, 1)]


def _saved_net(path: Path) -> dict[str, torch.Tensor]:
    return {k[4:]: v for k, v in load_file(path).items() if k.startswith("net.")}


def _assert_same(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> None:
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=1e-5, atol=1e-6, msg=key)


def test_two_processes_take_the_one_process_steps(tmp_path: Path) -> None:
    data, data_path = _data(tmp_path)
    single = _one_process(CONFIG, data, tmp_path / "one.safetensors")
    fresh = _fresh_net()
    assert any(not torch.equal(single[k], fresh[k]) for k in single)  # the steps moved it
    answers = _torchrun(tmp_path, CONFIG, data_path, tmp_path / "two.safetensors")
    assert [a["world"] for a in answers] == [2, 2]
    assert [a["share"] for a in answers] == [[0, 4], [4, 8]]  # each rank its half of a batch
    assert "batch_size 7 does not split over 2 processes" in str(answers[1]["refused"])
    two = load_trainer(tmp_path / "two.trainer.pt", _train_config(), torch.device("cpu"))
    assert two.step == CONFIG.steps
    _assert_same(single, dict(two.net.state_dict()))
    _assert_same(single, _saved_net(tmp_path / "two.trainer.pt"))
    one = load_trainer(tmp_path / "one.trainer.pt", _train_config(), torch.device("cpu"))
    # The sampler RNG is the same whatever the world size: a run resumes under another one.
    assert one.rng.bit_generator.state == two.rng.bit_generator.state


def test_two_processes_resume_a_one_process_run(tmp_path: Path) -> None:
    from dataclasses import replace

    data, data_path = _data(tmp_path)
    half = replace(CONFIG, steps=3, lr_drop_at=0.0)  # a constant rate: the same steps either way
    whole = replace(CONFIG, lr_drop_at=0.0)
    single = _one_process(whole, data, tmp_path / "whole.safetensors")
    _one_process(half, data, tmp_path / "resumed.safetensors")
    _torchrun(tmp_path, whole, data_path, tmp_path / "resumed.safetensors")
    resumed = load_trainer(tmp_path / "resumed.trainer.pt", _train_config(), torch.device("cpu"))
    assert resumed.step == whole.steps
    _assert_same(single, dict(resumed.net.state_dict()))


def test_one_process_outside_torchrun_is_rank_0_of_1() -> None:
    with distributed.process_group() as ranks:
        assert ranks == distributed.Ranks(0, 1, 0) and ranks.is_main and not ranks.distributed
        assert distributed.shard(8) == slice(0, 8)
        net = torch.nn.Linear(2, 2)
        assert distributed.wrap(net, torch.device("cpu")) is net
        distributed.check_batch(7)
        distributed.barrier()


def _fresh_net() -> dict[str, torch.Tensor]:
    from igo.nn.net import PolicyNet

    return dict(stage_net(CONFIG, SIZE, PolicyNet, PLANES, "policy").state_dict())


def _train_config():  # type: ignore[no-untyped-def]
    from igo.train.alphago.supervised_loop import train_config_of

    return train_config_of(CONFIG)


GPU_WORKER = textwrap.dedent(
    """
    import torch
    from igo.nn.registry import create_net
    from igo.train import distributed

    with distributed.process_group() as ranks:
        assert torch.distributed.get_backend() == "nccl"
        device = distributed.local_device(torch.device("cuda"))
        net = create_net("resnet_b6c64", board_size=5, in_planes=17, channels=8).to(device)
        model = distributed.wrap(net, device)
        assert isinstance(model, torch.nn.parallel.DistributedDataParallel)
        assert any(isinstance(m, torch.nn.SyncBatchNorm) for m in net.modules())
        policy, value = model(torch.randn(8, 17, 5, 5, device=device))
        (policy.logsumexp(1).mean() + value.square().mean()).backward()
        assert all(torch.isfinite(p.grad).all() for p in net.parameters())
        print("one-GPU DDP step done on", device)
    """
)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_one_gpu_ddp_step_over_nccl(tmp_path: Path) -> None:
    """scripts/gpu_check.sh's CUDA test of DDP: a process group of one rank over NCCL wraps the
    net in DDP with SyncBatchNorm and takes a backward pass on the GPU."""
    script = tmp_path / "gpu_worker.py"
    script.write_text(GPU_WORKER, encoding="utf-8")
    done = torchrun([str(script)], processes=1)
    assert "one-GPU DDP step done on cuda:0" in done.stdout
