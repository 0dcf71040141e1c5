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
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "compress", help="quantized networks (fp16, bf16, low-bit weights, int8)", epilog=EXAMPLES
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


def run_quantize(args: argparse.Namespace) -> int:
    from igo.compress.recipe import describe_report, quantize_checkpoint

    report = quantize_checkpoint(
        args.source, args.out, args.method, args.calibration, args.positions, args.seed
    )
    print(describe_report(report))
    return 0
