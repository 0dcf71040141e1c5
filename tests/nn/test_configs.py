"""Family configs: each family's own fields, checks, JSON round trips, and old flat checkpoints."""

from __future__ import annotations

import json
from dataclasses import fields
from importlib import resources
from pathlib import Path

import pytest
import torch
from safetensors import safe_open
from safetensors.torch import load_file

from igo.nn import (
    DenseNetConfig,
    DilatedConfig,
    MobileNetConfig,
    NetConfig,
    ResNetConfig,
    WideResNetConfig,
)
from igo.nn.checkpoint import config_path, load_checkpoint, read_config, save_checkpoint
from igo.nn.registry import (
    LEGACY_FIELDS,
    build_net,
    config_class,
    config_from_dict,
    create_net,
    list_families,
    list_nets,
    net_config,
)

LEGACY = Path(__file__).parent / "fixtures" / "legacy"
"""Checkpoints written by the flat NetConfig (one per family, tiny, random weights and running
statistics) and their outputs on one input, ``outputs.safetensors``."""
SHARED = {f.name for f in fields(NetConfig)}


def _own_fields(family: str) -> set[str]:
    return set(config_class(family).field_names()) - SHARED


@pytest.mark.parametrize("name", list_nets())
def test_config_json_holds_only_its_family_fields(name: str) -> None:
    """What ``save_checkpoint`` records (``to_dict``): the family, the shared fields and the
    family's own, no other family's."""
    config = net_config(name)
    saved = config.to_dict()
    assert set(saved) == {"family"} | SHARED | _own_fields(config.family)
    for other in list_families():
        foreign = _own_fields(other) - _own_fields(config.family)
        assert not foreign & set(saved), f"{name} records {other}'s {foreign & set(saved)}"
    assert config_from_dict(json.loads(json.dumps(saved))) == config


def test_a_saved_checkpoint_json_is_the_family_config(tmp_path: Path) -> None:
    net = create_net("densenet_b3c32_k16", board_size=5, in_planes=4, channels=8, blocks=2)
    save_checkpoint(net, tmp_path / "net.safetensors", version="test")
    saved = json.loads(config_path(tmp_path / "net.safetensors").read_text())["config"]
    assert saved == {
        "family": "densenet",
        "board_size": 5,
        "in_planes": 4,
        "norm": "batch",
        "outputs": "policy_value",
        "value_hidden": 256,
        "heads": "fixed",
        "blocks": 2,
        "channels": 8,
        "growth_rate": 16,
        "dense_layers": 4,
        "compression": 0.5,
        "dense_bottleneck": True,
    }
    assert read_config(tmp_path / "net.safetensors") == net.config


def test_every_family_has_its_config_and_variants() -> None:
    for family in list_families():
        cls = config_class(family)
        assert issubclass(cls, NetConfig) and cls.family == family
        assert {"blocks", "channels"} <= set(cls.field_names())
    assert {net_config(n).family for n in list_nets()} == set(list_families())


def test_config_checks_and_replace() -> None:
    config = DenseNetConfig(board_size=19, growth_rate=32, norm="group")
    assert config.num_moves == 362
    assert config.replace(blocks=2) == DenseNetConfig(
        board_size=19, growth_rate=32, norm="group", blocks=2
    )
    for cls, bad in (
        (ResNetConfig, dict(blocks=0)),
        (ResNetConfig, dict(outputs="both")),
        (ResNetConfig, dict(norm="batchnorm")),
        (ResNetConfig, dict(se_reduction=-1)),
        (WideResNetConfig, dict(dropout=1.0)),
        (DenseNetConfig, dict(compression=0.0)),
        (DilatedConfig, dict(max_dilation=3)),
        (MobileNetConfig, dict(width_mult=0.0)),
    ):
        with pytest.raises(ValueError, match=next(iter(bad))):
            cls(**bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="family cannot be changed"):
        config.replace(family="resnet")
    with pytest.raises(ValueError, match="densenet nets have no field alpha; their fields"):
        config.replace(alpha=4)


def test_config_from_dict_errors() -> None:
    good = ResNetConfig(blocks=2).to_dict()
    with pytest.raises(KeyError, match="unknown net family 'transformer'"):
        config_from_dict({**good, "family": "transformer"})
    with pytest.raises(KeyError, match="not a family name"):
        config_from_dict({"blocks": 2})
    with pytest.raises(ValueError, match="unknown resnet config fields: colour"):
        config_from_dict({**good, "colour": 1})
    # A new-format config with another family's field is refused: only the old flat format,
    # which holds every family's fields, has them dropped.
    with pytest.raises(ValueError, match="unknown resnet config fields: growth_rate"):
        config_from_dict({**good, "growth_rate": 4})
    with pytest.raises(KeyError, match="unknown net family ''"):
        build_net(NetConfig())  # the shared part alone is no net


@pytest.mark.parametrize("path", sorted(LEGACY.glob("*.json")), ids=lambda p: p.stem)
def test_old_flat_checkpoints_load_with_the_same_outputs(path: Path) -> None:
    """Each file was written by the flat NetConfig of every family's fields; it loads to its
    family's config and gives the outputs it gave then, bit for bit."""
    saved = json.loads(path.read_text())["config"]
    assert set(saved) == LEGACY_FIELDS
    net = load_checkpoint(path.with_suffix(".safetensors"))
    assert type(net.config) is config_class(path.stem)
    # They predate ``heads``: they load with the papers' fixed heads.
    kept = {k: v for k, v in saved.items() if k in net.config.to_dict()}
    assert net.config.to_dict() == kept | {"heads": "fixed"}
    expected = load_file(str(LEGACY / "outputs.safetensors"))
    with torch.no_grad():
        out = net(expected["input"])
    outputs = list(out) if isinstance(out, tuple) else [out]
    for i, tensor in enumerate(outputs):
        if _same_arithmetic():
            assert torch.equal(tensor, expected[f"{path.stem}.{i}"]), f"output {i}"
        else:  # another CPU kernel set or torch sums in another order: equal to rounding
            torch.testing.assert_close(tensor, expected[f"{path.stem}.{i}"], rtol=1e-5, atol=1e-6)


def _same_arithmetic() -> bool:
    """Whether this torch and CPU run the convolutions as the fixture's writer did (one thread,
    as the tests run), so that outputs must match bit for bit."""
    with safe_open(str(LEGACY / "outputs.safetensors"), "pt") as handle:
        meta = handle.metadata()
    return (
        meta["torch_version"] == torch.__version__
        and meta["cpu_capability"] == torch.backends.cpu.get_cpu_capability()
        and torch.get_num_threads() == int(meta["threads"])
    )


def test_every_family_of_the_flat_format_has_a_fixture() -> None:
    flat_families = ["alphago", "bottleneck", "densenet", "dilated", "mobilenet", "preact"]
    flat_families += ["pyramid", "resnet", "wide"]
    assert sorted(p.stem for p in LEGACY.glob("*.json")) == flat_families


@pytest.mark.parametrize(
    "name",
    sorted(p.name for p in resources.files("igo.weights").iterdir() if p.name.endswith(".json")),
)
def test_shipped_weights_load(name: str) -> None:
    """The shipped networks' JSON (the old flat format) reads to its family's config, and every
    tensor fits the net it builds."""
    path = Path(str(resources.files("igo.weights").joinpath(name)))
    family = json.loads(path.read_text())["config"]["family"]
    net = load_checkpoint(path.with_suffix(".safetensors"))
    assert type(net.config) is config_class(family) and net.config.board_size == 9
