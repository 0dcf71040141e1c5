"""``igo compress quantize|prune|distill``: a network made smaller (and, where it can, faster)."""

from __future__ import annotations

import argparse

# The methods as the help names them. Written out, not read from the registry, because that
# imports torch and every igo command builds this parser (``igo gtp`` must start without torch);
# tests/compress/test_compress_cli.py checks it names every registered method.
METHODS_HELP = "fp16, bf16, w2, w3, w4, w5, w6, w8 (weights in N bits), int8 (ONNX Runtime)"

EXAMPLES = """\
examples:
  igo compress quantize --from net.safetensors --out net-w4.safetensors --method w4
  igo compress quantize --from net.safetensors --out int8.onnx --method int8 --calibration sl
  igo compress quantize --from net.safetensors --out net-w3.safetensors --method w3 \\
      --qat-steps 400 --data sl
  igo compress quantize --from zero.safetensors --out zero-w3.safetensors --method w3 \\
      --qat-steps 200 --data sl
  igo compress quantize --from mixed.safetensors --out mixed-int8.onnx --method int8 \\
      --calibration run/replay      # pooled heads: every size; 7-bit weights without VNNI
  igo compress quantize --from mixed.safetensors --out mixed-w4.safetensors --method w4 \\
      --qat-steps 200 --data run/replay            # a Zero run's replay, every size
  igo gtp --player policy --checkpoint net-int8.onnx
  igo compress prune --from net.safetensors --out p.safetensors --alpha 1.3 \\
      --retrain-steps 400 --data sl
  igo compress prune --from net.safetensors --out s.safetensors --structured \\
      --keep 0.5 --data sl
  igo compress distill --teacher net.safetensors --student alphago_policy_l13c192 \\
      --blocks 6 --channels 24 --data sl --out student.safetensors
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "compress",
        help="smaller, faster networks: quantize, prune, distill",
        epilog=EXAMPLES,
    )
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)
    quant = actions.add_parser(
        "quantize", help="quantize a checkpoint into a new one", epilog=EXAMPLES
    )
    quant.add_argument("--from", dest="source", required=True, help="torch checkpoint")
    quant.add_argument(
        "--out", required=True, help="new checkpoint: .safetensors (or .onnx for int8)"
    )
    quant.add_argument("--method", required=True, help=f"one of {METHODS_HELP}")
    quant.add_argument(
        "--calibration",
        help="folder of positions: sl shards (igo data import) or a Zero run's replay/; int8 "
        "calibrates on them, every method is measured on them",
    )
    quant.add_argument(
        "--positions",
        type=int,
        default=512,
        help="positions read from it (of each size, for a pooled net on a mixed replay)",
    )
    weights = quant.add_mutually_exclusive_group()
    weights.add_argument(
        "--reduce-range",
        action="store_const",
        const=True,
        dest="reduce_range",
        help="int8: 7-bit weights, so that u8 x s8 products cannot saturate on CPUs without "
        "VNNI (AVX2): far closer to fp32 there (docs/compression.md); default: 7-bit on a CPU "
        "without VNNI, 8-bit with it",
    )
    weights.add_argument(
        "--full-range",
        action="store_const",
        const=False,
        dest="reduce_range",
        help="int8: 8-bit weights whatever the CPU (how the int8 figures before 2026-12-08 "
        "were made)",
    )
    quant.add_argument("--seed", type=int, default=0, help="which positions (and QAT's batches)")
    quant.add_argument(
        "--qat-steps",
        type=int,
        default=0,
        help="wN methods: quantization-aware training steps on --data (0: round only); a "
        "policy net learns the moves, a Zero net its own fp32 outputs",
    )
    quant.add_argument(
        "--data",
        help="--qat-steps: what to train on: sl shards (igo data import), or a Zero run's "
        "replay/ for a Zero net (every size it holds, for pooled heads)",
    )
    quant.add_argument("--lr", type=float, default=0.01, help="QAT's rate (0.01)")
    quant.add_argument("--batch-size", type=int, default=128, help="QAT's minibatch (128)")
    quant.set_defaults(run=run_quantize, parser=quant)
    add_prune_parser(actions)
    add_distill(actions)


def run_quantize(args: argparse.Namespace) -> int:
    from igo.compress.prune_recipe import RetrainConfig
    from igo.compress.recipe import describe_report, quantize_checkpoint

    if args.qat_steps < 0:
        raise ValueError(f"--qat-steps must be >= 0, got {args.qat_steps}")
    if args.data is not None and not args.qat_steps:
        raise ValueError("--data is what --qat-steps trains on; measure with --calibration")
    qat = RetrainConfig(args.qat_steps, args.lr, args.batch_size, args.seed)
    report = quantize_checkpoint(
        args.source, args.out, args.method, args.calibration, args.positions, args.seed,
        qat=qat, data=args.data, reduce_range=args.reduce_range, progress=True,
    )  # fmt: skip
    print(describe_report(report))
    return 0


def add_prune_parser(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``igo compress prune``: magnitude (Han et al. 2015) or structured channel pruning."""
    prune = actions.add_parser(
        "prune",
        help="prune a checkpoint: weights under alpha std per layer, or whole channels",
        epilog=EXAMPLES,
    )
    prune.add_argument("--from", dest="source", required=True, help="torch checkpoint")
    prune.add_argument("--out", required=True, help="new checkpoint (.safetensors)")
    method = prune.add_mutually_exclusive_group(required=True)
    method.add_argument(
        "--alpha", type=float, help="remove weights with |w| < alpha * std of their layer"
    )
    method.add_argument(
        "--structured", action="store_true", help="remove whole channels (a narrower net)"
    )
    prune.add_argument("--keep", type=float, help="--structured: share of channels kept (0.5)")
    prune.add_argument("--norm", choices=("l1", "l2"), default="l1", help="filter norm (l1)")
    prune.add_argument(
        "--retrain-steps",
        type=int,
        default=0,
        help="retrain on --data: sl shards (AlphaGo policy nets), replay/ (Zero nets)",
    )
    prune.add_argument(
        "--data",
        help="sl shards or a Zero run's replay/: measured on held-out, retrained on train",
    )
    prune.add_argument("--lr", type=float, default=0.01, help="retraining's rate (0.01)")
    prune.add_argument("--batch-size", type=int, default=128, help="retraining's minibatch")
    prune.add_argument("--positions", type=int, default=4000, help="held-out positions measured")
    prune.add_argument("--seed", type=int, default=0, help="retraining's minibatches")
    prune.set_defaults(run=run_prune, parser=prune)


def run_prune(args: argparse.Namespace) -> int:
    from igo.compress.prune_recipe import RetrainConfig, describe_prune, prune_checkpoint

    if args.keep is not None and not args.structured:
        raise ValueError("--keep goes with --structured (channel pruning), not --alpha")
    retrain = RetrainConfig(args.retrain_steps, args.lr, args.batch_size, args.seed)
    report = prune_checkpoint(
        args.source,
        args.out,
        alpha=args.alpha,
        keep=(0.5 if args.keep is None else args.keep) if args.structured else None,
        norm=args.norm,
        retrain=retrain,
        data=args.data,
        positions=args.positions,
        progress=True,
    )
    print(describe_prune(report))
    return 0


DISTILL_EXAMPLES = """\
examples:
  igo compress distill --teacher policy.safetensors --student mobilenet_b10c96 --blocks 6 \\
      --channels 64 --data sl --out student.safetensors --steps 2000 --temperature 2
  igo compress distill --teacher a.safetensors --teacher b.safetensors --student s.safetensors \\
      --data sl --out student.safetensors --hints middle
  igo gtp --player policy --checkpoint student.safetensors
  igo compress distill --teacher zero.safetensors --student resnet_b6c64 --blocks 5 \\
      --channels 32 --data sl --out zero-student.safetensors --result-weight 0.25
  igo compress distill --teacher zero.safetensors --student resnet_b6c64 --blocks 5 \\
      --channels 32 --data selfplay/replay --data sl --out zero-student.safetensors
  igo gtp --player zero --checkpoint zero-student.safetensors
"""


def add_distill(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``igo compress distill``: a student trained on a teacher's soft policy (or value)."""
    dist = actions.add_parser(
        "distill",
        help="train a small student on a teacher's (or an ensemble's) soft outputs",
        epilog=DISTILL_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    dist.add_argument(
        "--teacher", action="append", required=True, help="checkpoint (repeat: ensemble)"
    )
    dist.add_argument("--student", required=True, help="registry variant or student checkpoint")
    dist.add_argument("--blocks", type=int, help="a new student's blocks")
    dist.add_argument("--channels", type=int, help="a new student's channels")
    dist.add_argument("--norm", help="a new student's norm")
    dist.add_argument(
        "--data",
        action="append",
        required=True,
        help="folder of sl shards (igo data import); Zero students: also a Zero run's replay/, "
        "repeat for several (the first one's held-out games measure)",
    )
    dist.add_argument("--out", required=True, help="the student's checkpoint (.safetensors)")
    dist.add_argument(
        "--hints", metavar="LAYER", help="FitNets stage 1 on this student layer ('middle')"
    )
    dist.add_argument("--teacher-layer", help="the teacher's hint layer (default: its middle)")
    dist.add_argument("--hint-steps", type=int, help="stage-1 steps (default: a quarter)")
    numbers: tuple[tuple[str, type, float, str], ...] = (
        ("--steps", int, 2000, "training steps, hints included"),
        ("--temperature", float, 2.0, "softmax temperature T"),
        ("--soft-weight", float, 0.9, "weight of the teacher's term (0: from scratch)"),
        ("--result-weight", float, 0.0, "value students: weight of the game's result"),
        ("--value-weight", float, 1.0, "Zero students: weight of the value term"),
        ("--batch-size", int, 128, "positions per step"),
        ("--learning-rate", float, 0.05, "initial rate (SGD)"),
        ("--eval-positions", int, 4000, "held-out positions measured"),
        ("--checkpoint-every", int, 250, "steps between saves and points of the curve"),
        ("--threads", int, 2, "torch CPU threads"),
        ("--seed", int, 0, "student weights and minibatches"),
    )
    for flag, kind, default, text in numbers:
        dist.add_argument(
            flag, type=kind, default=kind(default), help=f"{text} (default {default})"
        )
    dist.add_argument("--log-dir", help="curve and logs (default: OUT's name + .logs)")
    dist.set_defaults(run=run_distill, parser=dist)


def run_distill(args: argparse.Namespace) -> int:
    from igo.compress.distill import DistillConfig
    from igo.compress.distill_recipe import describe_summary, distill_checkpoint
    from igo.train.alphago.supervised_loop import StageConfig

    training = StageConfig(
        steps=args.steps, batch_size=args.batch_size, learning_rate=args.learning_rate,
        checkpoint_every=args.checkpoint_every, eval_positions=args.eval_positions,
        torch_threads=args.threads, seed=args.seed,
    )  # fmt: skip
    hint_steps = 0
    if args.hints is not None:
        hint_steps = args.hint_steps if args.hint_steps is not None else max(1, args.steps // 4)
    config = DistillConfig(
        training=training, temperature=args.temperature, soft_weight=args.soft_weight,
        result_weight=args.result_weight, value_weight=args.value_weight,
        hint_steps=hint_steps, student_layer="" if args.hints in (None, "middle") else args.hints,
        teacher_layer=args.teacher_layer or "",
    )  # fmt: skip
    shape = {"blocks": args.blocks, "channels": args.channels, "norm": args.norm}
    overrides = {k: v for k, v in shape.items() if v is not None}
    summary = distill_checkpoint(
        args.teacher, args.student, args.data, args.out, config,
        overrides=overrides, log_dir=args.log_dir, progress=True,
    )  # fmt: skip
    print(describe_summary(summary))
    return 0
