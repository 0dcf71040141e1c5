"""The player options: one list, each flag reaching the field docs/gtp.md says it sets, the help's
defaults read from the players' presets, and old command lines and arena specs with their old
meaning."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from igo.agents.mcts_player import MctsPlayer
from igo.agents.nets import LeeParts, MissingWeightsError
from igo.agents.player import accepted_options, option_defaults
from igo.agents.player_options import (
    OPTIONS,
    PLAYER_OPTIONS,
    SEED,
    defaults_text,
    field_docs,
    read_option,
)
from igo.agents.resign import ResignPolicy
from igo.agents.search_presets import ALPHAGO_SEARCH, AlphaGoSource, SearchSetup
from igo.agents.sized_player import SizedPlayer
from igo.cli import options as cli_options
from igo.cli.main import build_parser
from igo.eval.engines import engine_argv, parse_engine_spec
from igo.go.rules import PRESETS
from igo.search.config import SearchConfig

GTP_DOC = Path(__file__).parents[2] / "docs" / "gtp.md"
SEARCH_PLAYERS = ("mcts", "zero", "alphago")
OWNERS: dict[str, type] = {
    c.__name__: c for c in (SearchConfig, SearchSetup, ResignPolicy, LeeParts, AlphaGoSource)
}


def _doc_table() -> dict[str, str]:
    """docs/gtp.md's player options table: flag -> the ``Owner.field`` it sets."""
    text = GTP_DOC.read_text(encoding="utf-8").split("### Player options", 1)[1]
    rows = re.findall(r"^\| `(--[a-z-]+)[^`]*` \| ([^|]+) \|", text, re.MULTILINE)
    return {flag: cell.strip().strip("`") for flag, cell in rows}


def test_the_docs_table_is_the_list() -> None:
    table = _doc_table()
    assert table.pop("--threads").startswith("(")  # a process setting, no player's field
    assert table == {o.flag: f"{o.owner.__name__}.{o.field}" for o in (*PLAYER_OPTIONS, SEED)}
    for option in (*PLAYER_OPTIONS, SEED):
        assert option.doc, f"{option.owner.__name__}.{option.field} has no docstring"


def _value(option_name: str, files: dict[str, str]) -> Any:
    """A value of the option that no preset has."""
    special: dict[str, Any] = {"mode": "zero", "device": "cpu", "symmetry": "all", "seed": 11}
    special["backend"] = "onnx"
    special["root"] = "gumbel"
    if option_name in special:
        return special[option_name]
    if option_name in files:
        return files[option_name]
    kind = OPTIONS[option_name].value_type
    return {int: 7, float: 0.3, bool: True}[kind]


def _player(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """The search player ``igo gtp ARGV`` would play on its first size (the process's thread
    count left alone)."""
    monkeypatch.setattr(cli_options, "_set_threads", lambda threads, uses_networks: None)
    args = build_parser().parse_args(["gtp", *argv])
    player, _ = cli_options.game_config(args.parser, args)
    return _on_first_size(player)


def _on_first_size(player: Any) -> Any:
    """A ``SizedPlayer``'s search player on the size it starts on (alphago's full search)."""
    return player.player_for(player.start_size) if isinstance(player, SizedPlayer) else player


@pytest.mark.parametrize("flag", sorted(flag for flag in _doc_table() if flag != "--run-dir"))
def test_each_flag_reaches_the_field_the_docs_name(
    flag: str,
    monkeypatch: pytest.MonkeyPatch,
    zero_checkpoint: str,
    alphago_policy_checkpoint: str,
    alphago_value_checkpoint: str,
    rollout_policy_file: str,
) -> None:
    if flag == "--threads":
        pytest.skip("a process setting (tests/cli/test_threads.py)")
    owner_name, field = _doc_table()[flag].split(".")
    option = next(o for o in (*PLAYER_OPTIONS, SEED) if o.flag == flag)
    files = {
        "checkpoint": zero_checkpoint,
        "policy_checkpoint": alphago_policy_checkpoint,
        "value_checkpoint": alphago_value_checkpoint,
        "rollout_checkpoint": rollout_policy_file,
        "tree_policy": rollout_policy_file,
    }
    value = _value(option.name, files)
    checked = 0
    for name in SEARCH_PLAYERS:
        if option.name not in accepted_options(name):
            continue
        try:
            player = _player(["--player", name, flag, str(value)], monkeypatch)
        except MissingWeightsError:
            continue  # the shipped zero / alphago weights are not installed
        assert isinstance(player, MctsPlayer)
        where = {
            "SearchConfig": player.config,
            "SearchSetup": player.setup,
            "ResignPolicy": player.setup.resign,
            "LeeParts": player.setup.lee,
        }[owner_name]
        assert getattr(where, field) == value, f"--player {name} {flag} {value}"
        checked += 1
    assert checked, f"no search player takes {flag}"


@pytest.mark.parametrize("name", SEARCH_PLAYERS)
def test_the_help_defaults_are_the_presets(name: str) -> None:
    """What ``--help`` says a search player's options default to is what the player gets."""
    from igo.agents import create_player

    try:
        player = _on_first_size(create_player(name))
    except MissingWeightsError:
        pytest.skip(f"the shipped {name} weights are not installed")
    assert isinstance(player, MctsPlayer)
    defaults = option_defaults(name)[name]
    assert set(defaults) == set(accepted_options(name))
    for key, value in defaults.items():
        assert read_option(OPTIONS[key], player.config, player.setup) == value, key


def test_help_says_each_players_default() -> None:
    help_text = " ".join(build_parser().parse_args(["gtp"]).parser.format_help().split())
    assert f"(default: 400; alphago: {ALPHAGO_SEARCH.num_simulations})" in help_text
    assert "(default: 5.0; mcts --checkpoint, zero: 1.25)" in help_text
    assert "(default: random; policy: none)" in help_text
    assert defaults_text({"a": None, "b": None}) == ""
    assert defaults_text({"a": 1, "b": 2, "c": 2}) == "default: 2; a: 1"


def test_old_command_lines_keep_their_meaning(
    monkeypatch: pytest.MonkeyPatch, zero_checkpoint: str
) -> None:
    argv = "--player alphago --visits 800 --lambda 1 --batch 8 --noise 0 --lcb true --threads 1"
    try:
        player = _player(argv.split(), monkeypatch)
    except MissingWeightsError:
        pytest.skip("the shipped alphago weights are not installed")
    config = player.config
    assert (config.mode, config.num_simulations, config.lee_lambda) == ("lee", 800, 1.0)
    assert (config.leaves_per_batch, config.dirichlet_epsilon, config.use_lcb) == (8, 0.0, True)
    assert (config.c_puct, config.expand_threshold) == (5.0, 1)
    assert player.setup.lee.value is None, "lambda 1 loads no value net"
    spec = parse_engine_spec(f"igo:player=mcts,checkpoint={zero_checkpoint},visits=400,seed=3")
    argv = engine_argv(spec, PRESETS["chinese"])
    player = _player(argv[argv.index("--player") :], monkeypatch)
    assert player.config.mode == "zero" and player.config.num_simulations == player.visits == 400
    assert player.setup.checkpoint == zero_checkpoint and player.setup.seed == 3


def test_seconds_alone_let_time_end_a_move(monkeypatch: pytest.MonkeyPatch) -> None:
    timed = _player(["--player", "mcts", "--seconds", "2"], monkeypatch)
    assert timed.visits is None and timed.setup.seconds == 2.0
    both = _player(["--player", "mcts", "--seconds", "2", "--visits", "50"], monkeypatch)
    assert both.visits == 50 and both.setup.seconds == 2.0


def test_a_bad_value_names_its_flag() -> None:
    from igo.agents import create_player

    with pytest.raises(ValueError, match="--batch 0: leaves_per_batch must be at least 1"):
        create_player("mcts", batch=0)
    with pytest.raises(TypeError, match="no option 'lambda'"):
        create_player("mcts", **{"lambda": 0.5})


def test_field_docs_read_the_docstrings_under_the_fields() -> None:
    docs = field_docs(ResignPolicy)
    assert set(docs) == {"threshold", "consecutive", "min_moves"}
    assert docs["consecutive"].startswith("Hopeless moves in a row")


def test_every_player_builds_without_torch(
    zero_checkpoint: str, alphago_policy_checkpoint: str, rollout_policy_file: str
) -> None:
    """``igo gtp`` answers at once: a player is built from its preset without torch, and
    ``prepare()`` loads the networks later (zero and alphago when their weights are shipped)."""
    specs = [
        ("mcts", {"checkpoint": zero_checkpoint}),
        ("mcts", {"mode": "lee", "policy_checkpoint": alphago_policy_checkpoint}),
        ("policy", {"checkpoint": zero_checkpoint}),
        ("rollout", {"rollout_checkpoint": rollout_policy_file}),
        ("zero", {}),
        ("alphago", {"lee_lambda": 1.0}),
    ]
    script = (
        "import sys\n"
        "from igo.agents import create_player\n"
        "from igo.agents.nets import MissingWeightsError\n"
        f"for name, options in {specs!r}:\n"
        "    try:\n"
        "        create_player(name, **options)\n"
        "    except MissingWeightsError:\n"
        "        continue\n"
        "    assert 'torch' not in sys.modules, f'building {name} imported torch'\n"
    )
    out = subprocess.run(
        [sys.executable, "-P", "-c", script], capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stderr
