"""A tiny scripted GTP engine for the arena's tests: it plays along, then misbehaves on cue.

Usage: ``python fake_gtp.py MODE [AFTER [LOG]]``. For its first AFTER ``genmove`` calls (default 2)
of each game it plays the first free point of the board, row by row (``pass`` mode always
passes); then, by MODE:

| mode       | misbehaviour                                                |
|------------|-------------------------------------------------------------|
| pass       | none: it passes every move                                  |
| illegal    | plays a point that is already occupied                      |
| crash      | exits with status 3 without answering                       |
| hang       | sleeps forever without answering                            |
| malformed  | answers out of protocol (no ``=``)                          |
| nonsense   | answers ``= Z99``, a move that is no point of the board     |
| slow       | answers after 3 seconds (to lose on time)                   |
| resign     | resigns                                                     |

With LOG, it appends ``start`` to that file when it starts, ``quit`` when told to, and
``seed N`` on ``set_random_seed N`` (which it knows), so a test can count engine starts. It
imports nothing from igo, so that it starts in milliseconds.
"""

import sys
import time

LETTERS = "ABCDEFGHJKLMNOPQRST"


def main() -> None:
    mode = sys.argv[1]
    after = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    log = sys.argv[3] if len(sys.argv) > 3 else None
    note(log, "start")
    size, stones, moves = 19, set(), 0
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        command, args = words[0], words[1:]
        reply = ""
        if command == "boardsize":
            size = int(args[0])
        elif command == "clear_board":
            stones, moves = set(), 0
        elif command == "set_random_seed":
            note(log, f"seed {args[0]}")
        elif command == "known_command":
            reply = str(args[0] in ("set_random_seed", "genmove")).lower()
        elif command == "play":
            if args[1].upper() in stones - {"PASS"}:  # as a real engine would (told it twice)
                print("? illegal move\n", flush=True)
                continue
            stones.add(args[1].upper())
        elif command == "name":
            reply = f"fake-{mode}"
        elif command == "genmove":
            moves += 1
            if mode == "pass" or moves <= after:
                reply = "pass" if mode == "pass" else free_point(size, stones)
                stones.add(reply)
            else:
                reply = misbehave(mode, stones)
                if reply is None:
                    continue
        elif command == "quit":
            note(log, "quit")
            print("=\n", flush=True)
            return
        elif command not in (
            "komi",
            "protocol_version",
            "version",
            "time_settings",
            "time_left",
            "final_status_list",
        ):
            print("? unknown command\n", flush=True)
            continue
        print(f"= {reply}\n", flush=True)


def note(log: "str | None", line: str) -> None:
    if log is not None:
        with open(log, "a") as file:
            file.write(line + "\n")


def free_point(size: int, stones: set) -> str:
    for row in range(1, size + 1):
        for col in LETTERS[:size]:
            if f"{col}{row}" not in stones:
                return f"{col}{row}"
    return "pass"


def misbehave(mode: str, stones: set) -> "str | None":
    if mode == "illegal":
        return sorted(stones)[0]
    if mode == "crash":
        sys.exit(3)
    if mode == "hang":
        while True:
            time.sleep(60)
    if mode == "malformed":
        print("hello, this is not GTP\n", flush=True)
        return None
    if mode == "nonsense":
        return "Z99"
    if mode == "slow":
        time.sleep(3)
        return "pass"
    if mode == "resign":
        return "resign"
    raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
