"""Engine specs: parsing, names, command lines, and the start-up probe."""

from __future__ import annotations

import sys
from collections.abc import Callable

import pytest

from igo.eval.engines import engine_argv, parse_engine_spec, probe_engine
from igo.go.rules import rules_from_name

CHINESE, JAPANESE = rules_from_name("chinese"), rules_from_name("japanese")
HANG_GUARD_S = 600.0
"""A hang guard, not a speed claim: a fresh engine process imports torch and may compile kernels
for minutes on a loaded machine (speed is measured by ``igo bench``, docs/benchmarks.md)."""


@pytest.mark.parametrize(
    ("text", "kind", "name"),
    [
        ("igo:player=random", "igo", "igo-random"),
        ("igo:checkpoint=runs/ckpt/step-100.pt,visits=400", "igo", "igo-step-100-v400"),
        ("gnugo:level=3", "gnugo", "gnugo-l3"),
        ("gnugo", "gnugo", "gnugo-l10"),
        ("leelaz:weights=/w/best.gz,visits=50", "leelaz", "leelaz-best-v50"),
        ("igo:player=random,name=baseline", "igo", "baseline"),
        ("/usr/bin/some-engine --gtp", "command", "/usr/bin/some-engine --gtp"),
    ],
)
def test_specs_parse_into_kinds_and_names(text: str, kind: str, name: str) -> None:
    spec = parse_engine_spec(text)
    assert (spec.kind, spec.name, spec.text) == (kind, name, text)


def test_igo_options_pass_through_as_flags_with_the_rules_and_seed() -> None:
    argv = engine_argv(parse_engine_spec("igo:player=random,visits=400,name=x"), JAPANESE, 5)
    assert argv[:5] == [sys.executable, "-P", "-m", "igo", "gtp"]  # -P: see test_clean_start
    flags = argv[5:]
    assert flags == ["--rules", "japanese", "--player", "random", "--visits", "400", "--seed", "5"]
    own_seed = engine_argv(parse_engine_spec("igo:seed=1"), CHINESE, 5)
    assert own_seed[-2:] == ["--seed", "1"]  # the spec's own seed wins


@pytest.mark.gnugo
def test_gnugo_gets_level_rules_and_seed(gnugo: str) -> None:
    argv = engine_argv(parse_engine_spec("gnugo:level=2"), JAPANESE, seed=9)
    assert argv == [gnugo, "--mode", "gtp", "--level", "2", "--japanese-rules", "--seed", "9"]
    assert "--chinese-rules" in engine_argv(parse_engine_spec("gnugo"), CHINESE)
    assert probe_engine(argv, "gnugo-l2", 9).startswith("GNU Go")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty engine spec"),
        ("igo:player", "must be key=value"),
        ("gnugo:level=", "must be key=value"),
        ("gnu:level=3", "unknown engine 'gnu'"),
    ],
)
def test_bad_specs_are_rejected_with_a_message(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_engine_spec(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("gnugo:level=11", "level must be 0..10|not installed"),
        ("gnugo:visits=3", "does not take|not installed"),
        ("leelaz:visits=3", "weights|not installed"),
        ("/no/such/program --gtp", "not found"),
        ("'unclosed", "cannot parse"),
    ],
)
def test_unusable_engines_are_rejected_with_a_message(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        engine_argv(parse_engine_spec(text), CHINESE)


def test_the_probe_explains_an_engine_that_will_not_start(fake: Callable[..., str]) -> None:
    argv = engine_argv(parse_engine_spec("igo:player=nosuchplayer"), CHINESE)
    with pytest.raises(ValueError, match="igo-nosuchplayer does not work.*invalid choice"):
        probe_engine(argv, "igo-nosuchplayer", 9, timeout=HANG_GUARD_S)
    fake_argv = engine_argv(parse_engine_spec(fake("pass")), CHINESE)
    assert probe_engine(fake_argv, "f", 9) == "fake-pass"
