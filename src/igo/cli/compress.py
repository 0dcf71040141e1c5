"""``igo compress quantize``: a network made smaller (and, where the CPU allows, faster)."""

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
  igo gtp --player policy --checkpoint net-int8.onnx
  igo compress prune --from net.safetensors --out p.safetensors --alpha 1.3 \\
      --retrain-steps 400 --data sl
  igo compress prune --from net.safetensors --out s.safetensors --structured \\
      --keep 0.5 --data sl
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "compress",
        help="quantized and pruned networks (fp16, bf16, low-bit, int8; pruning)",
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
    quant.add_argument("--positions", type=int, default=512, help="positions read from it")
    quant.add_argument("--seed", type=int, default=0, help="which positions")
    quant.set_defaults(run=run_quantize, parser=quant)
    add_prune_parser(actions)


def run_quantize(args: argparse.Namespace) -> int:
    from igo.compress.recipe import describe_report, quantize_checkpoint

    report = quantize_checkpoint(
        args.source, args.out, args.method, args.calibration, args.positions, args.seed
    )
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
        "--retrain-steps", type=int, default=0, help="retrain on --data's sl shards (policy nets)"
    )
    prune.add_argument(
        "--data", help="sl shards (igo data import): measured on held-out, retrained on train"
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
