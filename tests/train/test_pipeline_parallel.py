"""Model parallelism (``igo.train.pipeline_parallel``): a 20-block ResNet (stem + 19 blocks) split
into 2 pipeline stages on 2 processes under torchrun (gloo, CPU) gives the unsplit net's outputs,
loss and gradients to float tolerance, with GPipe and 1F1B and 1 to 8 micro-batches."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import torch

from igo.nn.registry import create_net
from igo.train.pipeline_parallel import bubble, pack_targets, pipeline_loss, split_net
from torchrun_launch import torchrun

WORKER = textwrap.dedent(
    """
    import copy, json, sys
    import torch
    from igo.nn.registry import create_net
    from igo.train import distributed
    from igo.train.pipeline_parallel import build_pipeline, pack_targets, pipeline_loss

    answer = sys.argv[1]
    torch.set_num_threads(1)
    results = []
    with distributed.process_group() as ranks:
        for schedule, micro in [("gpipe", 1), ("gpipe", 4), ("1f1b", 2), ("1f1b", 8)]:
            torch.manual_seed(0)
            net = create_net("resnet_b19c256", board_size=5, in_planes=17, channels=8,
                             value_hidden=16, norm="layer")
            reference = copy.deepcopy(net)
            planes = torch.randn(16, 17, 5, 5)
            policy = torch.softmax(torch.randn(16, 26), dim=1)
            targets = pack_targets(policy, torch.rand(16) * 2 - 1)
            pipe = build_pipeline(net, micro, schedule, torch.device("cpu"))
            loss, output = pipe.step(planes, targets)
            expected = reference(planes)
            reference_loss = pipeline_loss(expected, targets)
            reference_loss.backward()
            grads = dict(reference.named_parameters())
            mine = {id(p) for p in pipe.stage.parameters()}
            worst, count = 0.0, 0
            for name, param in net.named_parameters():
                if id(param) in mine:
                    count += 1
                    worst = max(worst, float((param.grad - grads[name].grad).abs().max()))
            row = {"schedule": schedule, "micro": micro, "params": count, "grad": worst}
            if pipe.is_last:
                row["loss"] = abs(loss - float(reference_loss))
                row["output"] = max(float((a - b).abs().max()) for a, b in zip(output, expected))
            results.append(row)
        with open(f"{answer}.{ranks.rank}", "w") as handle:
            json.dump(results, handle)
    """
)


def test_two_stages_give_the_unsplit_outputs_and_gradients(tmp_path: Path) -> None:
    script = tmp_path / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    answer = tmp_path / "answer"
    torchrun([str(script), str(answer)])
    first, last = (json.loads(Path(f"{answer}.{rank}").read_text()) for rank in (0, 1))
    net = create_net("resnet_b19c256", board_size=5, in_planes=17, channels=8, norm="layer")
    total = len(list(net.parameters()))
    for a, b in zip(first, last, strict=True):
        assert a["params"] + b["params"] == total and a["params"] > 0 and b["params"] > 0
        assert a["grad"] < 1e-5 and b["grad"] < 1e-5, (a, b)
        assert b["loss"] < 1e-5 and b["output"] < 1e-5, b


def test_split_keeps_every_layer_once_in_order() -> None:
    torch.manual_seed(0)
    net = create_net("resnet_b19c256", board_size=5, in_planes=17, channels=8, norm="layer")
    net.eval()
    stages = split_net(net, 2)
    assert [len(s.layers) for s in stages] == [1 + 10, 9]  # stem + 10 blocks, 9 blocks + heads
    planes = torch.randn(3, 17, 5, 5)
    with torch.no_grad():
        policy, value = stages[1](stages[0](planes))
        expected = net(planes)
    torch.testing.assert_close(policy, expected[0])
    torch.testing.assert_close(value, expected[1])
    ids = [id(p) for s in stages for p in s.parameters()]
    assert sorted(ids) == sorted(id(p) for p in net.parameters())  # each parameter once


def test_what_does_not_split_is_refused() -> None:
    net = create_net("resnet_b6c64", board_size=5, in_planes=17, channels=8, blocks=2)
    with pytest.raises(ValueError, match="2 blocks do not split into 3 pipeline stages"):
        split_net(net, 3)
    policy = create_net("resnet_b6c64", board_size=5, in_planes=17, outputs="policy")
    with pytest.raises(ValueError, match="only two-headed nets"):
        split_net(policy, 2)  # type: ignore[arg-type]


def test_loss_and_bubble() -> None:
    policy = torch.tensor([[0.25, 0.75]])
    targets = pack_targets(policy, torch.tensor([1.0]))
    assert targets.tolist() == [[0.25, 0.75, 1.0]]
    loss = pipeline_loss((torch.zeros(1, 2), torch.tensor([0.0])), targets)
    assert float(loss) == pytest.approx(1.0 + torch.log(torch.tensor(2.0)).item())  # 1 + ln 2
    assert bubble(2, 1) == 0.5 and bubble(2, 4) == pytest.approx(0.2)
