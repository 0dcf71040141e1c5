"""Tests of igo.io.sgf: reading messy SGF, rejecting bad SGF, and exact write/read round trips."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from igo.go.coords import Color, from_gtp, pass_point
from igo.go.result import GameResult
from igo.go.rules import PRESETS, Rules, rules_from_name
from igo.go.state import GameState, IllegalMove
from igo.io.sgf import (
    GameRecord,
    SgfError,
    parse_collection,
    parse_sgf,
    read_collection,
    read_sgf,
    record_from_state,
    replay,
    save_sgf,
    write_sgf,
)

DATA = Path(__file__).parent / "data"
BAD_FILES = sorted((DATA / "bad").glob("*.sgf"))
B, W = Color.BLACK, Color.WHITE


def point(sgf: str, size: int) -> int:
    """An SGF point as a flat index (tests read better with SGF letters)."""
    col, row = ord(sgf[0]) - ord("a"), ord(sgf[1]) - ord("a")
    return row * size + col


# ----------------------------------------------------------------------------- properties


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("B+R", GameResult(B, "resign")),
        ("W+Resign", GameResult(W, "resign")),
        ("B+3.5", GameResult(B, "score", 3.5)),
        ("W+0.5", GameResult(W, "score", 0.5)),
        ("W+T", GameResult(W, "time")),
        ("B+Time", GameResult(B, "time")),
        ("B+F", GameResult(B, "forfeit")),
        ("0", GameResult(None, "draw", 0.0)),
        ("Draw", GameResult(None, "draw", 0.0)),
        ("Void", GameResult(None, "void")),
        ("?", GameResult(None, "unknown")),
        ("B+", GameResult(B, "unknown")),
    ],
)
def test_every_result_form_reads_and_round_trips(text: str, expected: GameResult) -> None:
    record = parse_sgf(f"(;GM[1]FF[4]SZ[9]RE[{text}];B[ee])")
    assert record.result == expected
    assert parse_sgf(write_sgf(record)).result == expected


def test_no_result_is_none() -> None:
    assert parse_sgf("(;SZ[9];B[ee])").result is None


def test_basic_properties() -> None:
    record = parse_sgf(
        "(;FF[4]GM[1]SZ[13]KM[6.5]PB[Alice]PW[Bob]DT[2024-05-01]GN[Final]EV[Club cup]"
        "AP[Tester:1.0]BR[3d];B[dd];W[jj];B[])"
    )
    assert record.size == 13 and record.komi == 6.5 and record.handicap == 0
    assert record.moves == ((B, point("dd", 13)), (W, point("jj", 13)), (B, pass_point(13)))
    assert record.first_player == B
    for key, value in [
        ("PB", "Alice"),
        ("PW", "Bob"),
        ("DT", "2024-05-01"),
        ("GN", "Final"),
        ("EV", "Club cup"),
        ("AP", "Tester:1.0"),
        ("BR", "3d"),
    ]:
        assert record.metadata[key] == value
    assert "SZ" not in record.metadata and "KM" not in record.metadata


def test_missing_size_defaults_to_19_and_missing_komi_to_0() -> None:
    record = parse_sgf("(;FF[4];B[pd];W[dp])")
    assert record.size == 19 and record.komi == 0.0
    assert record.moves[0] == (B, from_gtp("Q16", 19))


def test_compose_size_that_is_square_is_accepted() -> None:
    assert parse_sgf("(;SZ[7:7];B[dd])").size == 7


@pytest.mark.parametrize(
    ("ru", "preset"),
    [
        ("Chinese", "chinese"),
        ("Japanese", "japanese"),
        ("AGA", "aga"),
        ("NZ", "new-zealand"),
        ("Tromp-Taylor", "tromp-taylor"),
        ("korean", "korean"),
        ("New Zealand", "new-zealand"),
    ],
)
def test_ru_names_map_to_presets_and_keep_the_raw_string(ru: str, preset: str) -> None:
    record = parse_sgf(f"(;SZ[9]KM[5.5]RU[{ru}];B[ee])")
    assert record.rules == PRESETS[preset].with_komi(5.5)
    assert record.metadata["RU"] == ru
    written = write_sgf(record)
    assert f"RU[{ru}]" in written  # the raw spelling survives a rewrite
    assert parse_sgf(written) == record


def test_unknown_ru_falls_back_to_default_rules_and_survives() -> None:
    record = parse_sgf("(;SZ[9]KM[7.5]RU[GOE];B[ee])")
    assert record.rules == Rules(komi=7.5)
    assert record.metadata["RU"] == "GOE"
    assert "RU[GOE]" in write_sgf(record)


def test_rules_no_preset_names_round_trip_as_katago_string() -> None:
    rules = Rules(
        ko="positional",
        multi_stone_suicide=False,
        scoring="territory",
        komi=0.5,
        white_handicap_bonus="N-1",
    )
    record = GameRecord(size=9, rules=rules, moves=((B, 40),))
    text = write_sgf(record)
    assert "RU[koPOSITIONALscoreTERRITORYsui0whbN-1]" in text
    assert parse_sgf(text).rules == rules


def test_setup_stones_and_player_to_move() -> None:
    record = parse_sgf("(;SZ[9]AB[aa][bb]AW[cc:dd];AE[dd]PL[W])")
    assert record.setup_black == (point("aa", 9), point("bb", 9))
    assert record.setup_white == tuple(point(p, 9) for p in ("cc", "dc", "cd"))
    assert record.first_player == W and record.moves == ()
    back = parse_sgf(write_sgf(record))
    assert back == record
    state = replay(back)
    assert state.to_play == W and state.color_at(point("cd", 9)) == W


def test_comments_with_escaped_brackets_and_backslashes() -> None:
    record = parse_sgf(r"(;SZ[9]C[root \] note];B[ee]C[a\]b\\c];W[cc];C[on an empty node])")
    assert record.metadata["C"] == "root ] note"
    assert record.comments == ("a]b\\c", "on an empty node")
    text = write_sgf(record)
    assert r"C[a\]b\\c]" in text
    assert parse_sgf(text) == record


def test_variations_follow_the_main_line() -> None:
    record = parse_sgf("(;SZ[9];B[ee](;W[cc];B[gg](;W[gc])(;W[cg]))(;W[dd]))")
    assert [p for _, p in record.moves] == [point(p, 9) for p in ("ee", "cc", "gg", "gc")]


def test_collection_of_several_games() -> None:
    games = read_collection(DATA / "collection.sgf")
    assert [g.size for g in games] == [9, 13, 19]
    assert [g.metadata["PB"] for g in games] == ["Ann", "Cid", "Eve"]
    assert games[1].result == GameResult(W, "score", 2.5)
    assert games[2].handicap == 2 and games[2].first_player == W
    assert read_sgf(DATA / "collection.sgf") == games[0]
    text = "".join(write_sgf(g) for g in games)
    assert parse_collection(text) == games


def test_collection_error_names_the_game() -> None:
    with pytest.raises(SgfError, match=r"two\.sgf \(game 2\).*SZ\[99\]"):
        parse_collection("(;SZ[9];B[aa])(;SZ[99];B[aa])", "two.sgf")


# ----------------------------------------------------------------------------- messy files


def test_utf8_bom_in_bytes_and_in_str() -> None:
    record = read_sgf(DATA / "bom_utf8.sgf")
    assert record.metadata["PB"] == "李昌镐"
    text = (DATA / "bom_utf8.sgf").read_text(encoding="utf-8")
    assert text.startswith("\ufeff") and parse_sgf(text) == record


def test_leading_junk_is_skipped() -> None:
    record = parse_sgf("From: someone\nSubject: game (see below)\n\n(;SZ[9];B[ee])")
    assert record.moves == ((B, 40),)


def test_junk_between_and_after_games_is_skipped() -> None:
    games = parse_collection("(;SZ[9];B[ee]) -- next game :-) --\n(;SZ[7];W[dd]) end (c)")
    assert [g.size for g in games] == [9, 7]


def test_decimal_comma_in_komi() -> None:
    assert parse_sgf("(;SZ[9]KM[6,5])").komi == 6.5


def test_str_input_ignores_its_charset() -> None:
    # A str is already decoded: CA describes the original bytes, not this text.
    assert parse_sgf("(;CA[ISO-8859-1]PB[José])").metadata["PB"] == "José"


def test_charset_latin1() -> None:
    record = read_sgf(DATA / "latin1.sgf")
    assert record.metadata["PB"] == "José" and record.metadata["PW"] == "Ærø"
    assert record.metadata["C"] == "Très bien"


def test_no_charset_guesses_utf8_then_latin1() -> None:
    assert parse_sgf("(;PB[José])".encode()).metadata["PB"] == "José"
    assert parse_sgf("(;PB[José])".encode("latin-1")).metadata["PB"] == "José"


def test_lower_case_ff3_identifiers() -> None:
    record = read_sgf(DATA / "ff3_lowercase.sgf")
    assert record.size == 9 and record.komi == 5.5
    assert record.metadata["PB"] == "Old Timer"
    assert record.setup_black == (point("cc", 9), point("gg", 9))
    assert record.setup_white == (point("ee", 9),)
    assert record.moves == ((W, point("dd", 9)), (B, point("ff", 9)))
    assert record.result == GameResult(W, "resign")


def test_duplicate_result_takes_the_first() -> None:
    assert parse_sgf("(;SZ[9]RE[B+R]RE[W+3.5];B[ee])").result == GameResult(B, "resign")
    assert parse_sgf("(;SZ[9]RE[W+T];B[ee]RE[B+1])").result == GameResult(W, "time")


def test_handicap_as_consecutive_black_moves() -> None:
    record = parse_sgf("(;SZ[19]HA[3]KM[0.5];B[pd];B[dp];B[pp];W[dd];B[qf])")
    assert record.handicap == 3
    assert record.setup_black == tuple(point(p, 19) for p in ("pd", "dp", "pp"))
    assert record.moves == ((W, point("dd", 19)), (B, point("qf", 19)))
    assert record.first_player == W
    assert replay(record).num_handicap == 3


def test_handicap_with_ab_stones() -> None:
    record = parse_sgf("(;SZ[19]HA[2]AB[pd][dp];W[dd])")
    assert record.handicap == 2 and len(record.setup_black) == 2
    assert record.moves == ((W, point("dd", 19)),)
    state = replay(record)
    assert state.num_handicap == 2 and state.to_play == B


def test_tt_is_pass_up_to_19_but_a_point_on_21() -> None:
    on19 = parse_sgf("(;SZ[19];B[pd];W[tt];B[])")
    assert on19.moves[1:] == ((W, pass_point(19)), (B, pass_point(19)))
    on21 = parse_sgf("(;SZ[21];B[pd];W[tt];B[])")
    assert on21.moves[1] == (W, point("tt", 21)) != (W, pass_point(21))
    assert on21.moves[2] == (B, pass_point(21))
    assert replay(on21).color_at(point("tt", 21)) == W
    assert parse_sgf(write_sgf(on21)) == on21


def test_deep_variation_tree_parses() -> None:
    """10,000 nested variations parse without recursion (its speed: ``igo bench sgf``)."""
    text = "(;SZ[9]" + "(;B[aa]" * 10000 + ")" * 10001
    record = parse_sgf(text, "deep.sgf")
    assert len(record.moves) == 10000
    with pytest.raises(SgfError, match=r"deep\.sgf: move 2 .*occupied"):
        replay(record)


def test_deep_legal_variation_tree_replays() -> None:
    moves = [("B" if i % 2 == 0 else "W", "" if i >= 4 else "abcd"[i] + "a") for i in range(5)]
    nested = "".join(f"(;{c}[{p}]" for c, p in moves[:4])
    record = parse_sgf("(;SZ[9]" + nested + ")" * 5)
    assert replay(record).stones().sum() == 6  # two black, two white stones


# ----------------------------------------------------------------------------- bad files


def test_the_bad_corpus_is_there() -> None:
    assert len(BAD_FILES) >= 25


@pytest.mark.parametrize("path", BAD_FILES, ids=[p.name for p in BAD_FILES])
def test_bad_files_raise_one_clear_error(path: Path) -> None:
    with pytest.raises(SgfError) as caught:
        replay(read_sgf(path))
    assert str(path) in str(caught.value)
    assert caught.value.source == str(path) and caught.value.reason


def test_play_may_go_on_after_two_passes() -> None:
    record = parse_sgf("(;SZ[9];B[ee];W[];B[];W[cc];B[gg])")
    state = replay(record)
    assert state.color_at(point("cc", 9)) == W and state.color_at(point("gg", 9)) == B


def test_illegal_move_names_the_move_number() -> None:
    with pytest.raises(SgfError, match=r"move 3 \(B\[cc\] C7\) is illegal: occupied"):
        replay(parse_sgf("(;SZ[9];B[ee];W[cc];B[cc])", "game.sgf"))


def test_empty_input() -> None:
    with pytest.raises(SgfError, match="<string>: no SGF game"):
        parse_sgf("")
    with pytest.raises(SgfError, match="empty.sgf"):
        parse_collection(b"", "empty.sgf")


def test_bad_metadata_key_cannot_be_written() -> None:
    with pytest.raises(SgfError, match="not an SGF property name"):
        write_sgf(GameRecord(size=9, metadata={"player black": "x"}))


def test_inconsistent_record_is_refused() -> None:
    with pytest.raises(SgfError, match="first_player"):
        GameRecord(size=9, first_player=W, moves=((B, 40),))
    with pytest.raises(SgfError):
        GameRecord(size=9, moves=((B, 82),))


# ----------------------------------------------------------------------------- writing


def test_write_uses_ff4_and_empty_pass() -> None:
    text = write_sgf(GameRecord(size=9, moves=((B, 40), (W, pass_point(9)))))
    assert text.startswith("(;FF[4]") and "GM[1]" in text and "CA[UTF-8]" in text
    assert ";W[]" in text


def test_save_sgf_is_atomic_and_overwrites(tmp_path: Path) -> None:
    record = parse_sgf("(;SZ[9]PB[Ann];B[ee];W[cc])")
    target = tmp_path / "game.sgf"
    target.write_text("old contents")
    save_sgf(record, target)
    assert read_sgf(target) == record
    assert [p.name for p in tmp_path.iterdir()] == ["game.sgf"]  # no temporary file left


def test_save_sgf_failure_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "game.sgf"
    target.write_text("old contents")
    with pytest.raises(SgfError):
        save_sgf(GameRecord(size=9, metadata={"bad key": "x"}), target)
    assert target.read_text() == "old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["game.sgf"]


def test_record_from_state_with_handicap_and_resignation() -> None:
    state = GameState.new(size=9, rules=rules_from_name("aga", 0.5))
    state.place_handicap([point("cc", 9), point("gg", 9)])
    state.play(point("ee", 9))
    state.play(point("cg", 9))
    state.resign()
    record = record_from_state(state, metadata={"PB": "igo", "PW": "igo"})
    assert record.handicap == 2 and record.setup_black == (point("cc", 9), point("gg", 9))
    assert record.first_player == W
    assert record.result == GameResult(B, "resign")
    assert record.metadata["RU"] == "AGA"
    back = parse_sgf(write_sgf(record))
    assert back == record
    again = replay(back)
    assert again.hash == state.hash and again.num_handicap == 2


# ----------------------------------------------------------------------------- round trip

_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.just("\n"), max_size=12)
_RESULTS = st.sampled_from(["B+R", "W+R", "B+3.5", "W+12", "W+T", "B+F", "0", "Void", "?"])


@st.composite
def played_games(draw: st.DrawFn) -> tuple[GameState, GameRecord]:
    """A random legal game on a small board, and its record with random extras."""
    size = draw(st.integers(5, 9))
    komi = draw(st.integers(-40, 40)) / 4
    if draw(st.booleans()):
        rules = rules_from_name(draw(st.sampled_from(sorted(PRESETS))), komi)
    else:
        rules = Rules(
            draw(st.sampled_from(["simple", "positional", "situational"])),
            draw(st.booleans()),
            draw(st.sampled_from(["area", "territory"])),
            komi,
            draw(st.sampled_from(["0", "N-1", "N"])),
        )
    state = GameState.new(size=size, rules=rules, move_cap=None)
    points = st.lists(st.integers(0, size * size - 1), unique=True, min_size=2, max_size=4)
    start = draw(st.sampled_from(["empty", "handicap", "setup"]))
    if start == "handicap":
        state.place_handicap(draw(points))
    elif start == "setup":
        black = draw(points)
        white = [p for p in draw(points) if p not in black]
        try:
            state.setup(black, white, to_play=draw(st.sampled_from([B, W])))
        except IllegalMove:
            assume(False)  # a string without liberties: not a position
    for _ in range(draw(st.integers(0, 40))):
        legal = state.legal_moves()
        if not legal:
            break
        # Mostly stones, now and then a pass (a second pass in a row ends the game).
        choice = legal[-1] if draw(st.integers(0, 9)) == 0 else draw(st.sampled_from(legal))
        state.play(choice)
    if draw(st.booleans()) and not state.is_over():
        state.resign()
    result = draw(st.none() | _RESULTS.map(GameResult.from_sgf))
    keys = st.sampled_from(["PB", "PW", "DT", "GN", "EV", "C", "XZ"])
    metadata = draw(st.dictionaries(keys, _TEXT, max_size=4))
    record = record_from_state(state, result, metadata)
    notes = draw(
        st.lists(st.none() | _TEXT, min_size=len(record.moves), max_size=len(record.moves))
    )
    return state, replace(record, comments=tuple(notes))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(played_games())
def test_round_trip_of_random_legal_games(game: tuple[GameState, GameRecord]) -> None:
    state, record = game
    back = parse_sgf(write_sgf(record))
    assert back == record
    assert back.moves == state.moves
    final = replay(back)
    assert final.hash == state.hash and final.num_handicap == state.num_handicap
    assert final.to_play == state.to_play


_SEED_SGF = (
    DATA / "collection.sgf"
).read_bytes() + b"(;SZ[9]AB[aa:cc]C[x\\]y](;B[ee];W[])(;W[dd]))"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, len(_SEED_SGF)),
            st.sampled_from(list(b"()[];\\:BWtz9 \xff")),
            st.booleans(),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_mangled_files_fail_only_with_sgf_error(edits: list[tuple[int, int, bool]]) -> None:
    data = bytearray(_SEED_SGF)
    for position, byte, delete in edits:
        data[position : position + 1] = (
            b"" if delete else bytes([byte, *data[position : position + 1]])
        )
    try:
        for record in parse_collection(bytes(data), "mangled.sgf"):
            assert parse_sgf(write_sgf(record)) == record
            replay(record)
    except SgfError as error:
        assert "mangled.sgf" in str(error)


# ----------------------------------------------------------------------------- quarter komi
def test_quarter_komi_and_results() -> None:
    record = parse_sgf("(;GM[1]SZ[9]KM[6.25]RE[W+0.25];B[ee])")
    assert record.komi == 6.25 and record.result == GameResult(W, "score", 0.25)
    text = write_sgf(record)
    assert "KM[6.25]" in text and "RE[W+0.25]" in text and parse_sgf(text) == record
    assert parse_sgf("(;KM[3.75])").komi == 3.75 and parse_sgf("(;KM[-0,75])").komi == -0.75
    with pytest.raises(SgfError, match=r"bad KM\[6.3\]: komi must be a multiple of 0.25"):
        parse_sgf("(;KM[6.3])")
    assert GameResult.by_score(10.0, 9.75).to_sgf() == "B+0.25"
    assert GameResult.from_sgf("B+0.75").margin == 0.75


# ----------------------------------------------------------------------------- rule changes
# A two-stone suicide (B A1 next to B A2) under Tromp-Taylor, then Chinese rules from move 7 on.
SUICIDE_THEN_CHINESE = (
    "(;GM[1]SZ[5]KM[7.5]RU[Tromp-Taylor];B[ad];W[ac];B[ea];W[bd];B[eb];W[be];B[ae]"
    "IGORULES[koSIMPLEsui0];W[cc])"
)


def test_rule_changes_read_write_and_replay() -> None:
    record = parse_sgf(SUICIDE_THEN_CHINESE)
    chinese_play = PRESETS["tromp-taylor"].playing_as(PRESETS["chinese"])
    assert record.rules == PRESETS["tromp-taylor"]
    assert record.rule_changes == ((7, chinese_play),)
    assert record.rules_at(6) == record.rules_at(0) == record.rules
    assert record.rules_at(7) == record.final_rules == chinese_play
    state = replay(record)
    assert state.rules == chinese_play and state.captures(W) == 2
    assert state.color_at(point("ad", 5)) == Color.EMPTY and state.color_at(point("cc", 5)) == W
    back = parse_sgf(write_sgf(record))
    assert back == record and "IGORULES" not in back.metadata
    # Without the change the record is not a game: Chinese rules forbid the suicide.
    chinese = replace(record, rules=chinese_play, rule_changes=())
    with pytest.raises(SgfError, match=r"move 7 \(B\[ae\] A1\) is illegal: suicide"):
        replay(chinese)


def test_a_rule_change_before_the_first_move_is_on_the_root() -> None:
    record = parse_sgf("(;GM[1]SZ[5]RU[Chinese]IGORULES[koPOSITIONALsui1];B[cc])")
    assert record.rule_changes[0][0] == 0 and record.final_rules.ko == "positional"
    assert parse_sgf(write_sgf(record)) == record
    assert replay(record).rules == record.final_rules


def test_bad_rule_changes_are_refused() -> None:
    record = parse_sgf(SUICIDE_THEN_CHINESE)
    change = record.rule_changes[0][1]
    with pytest.raises(SgfError, match="in order"):
        replace(record, rule_changes=((9, change),))
    with pytest.raises(SgfError, match="in order"):
        replace(record, rule_changes=((3, change), (3, record.rules)))
    with pytest.raises(SgfError, match="ko and suicide rules only"):
        replace(record, rule_changes=((2, PRESETS["japanese"]),))
    with pytest.raises(SgfError, match=r"bad IGORULES\[koWEIRDsui0\]"):
        parse_sgf("(;SZ[5];B[aa]IGORULES[koWEIRDsui0])")


def test_handicap_count_counts_with_other_setup_stones() -> None:
    state = replay(parse_sgf("(;GM[1]SZ[9]HA[2]AB[cc][gg][ee]PL[W])"))
    assert state.num_handicap == 2 and state.to_play == W
    with pytest.raises(SgfError, match="bad HA"):
        parse_sgf("(;HA[" + "9" * 5000 + "])")
