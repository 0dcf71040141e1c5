"""The carried run state: what a Zero run needs to go on on another machine, small enough to keep
in the repository (issue 17, "the run outlives the machine").

A run folder (``runs/...``) is not in the repository and a new machine has none. With
``carry_dir`` set (``igo zero --carry DIR``) the loop writes, at the end of every generation,
the run's continuation state into ``DIR``; on a machine whose run folder has no state the same
command restores it from there and the run goes on from the same generation:

| file in ``DIR/gen-<G>/`` | what                                    | restored as                 |
|--------------------------|-----------------------------------------|-----------------------------|
| ``config.toml``          | the run's resolved config (a preset)    | ``config.json``             |
| ``state.json``           | generation, steps, best, history,       | ``state.json`` (last)       |
|                          | stretches                               |                             |
| ``best.safetensors/json``| the best network                        | ``models/gen-<best>.*``     |
| ``trainer.safetensors``  | the latest trainer: network, optimiser  | ``checkpoints/trainer-*``   |
|                          | moments, sampler RNG                    |                             |
| ``generations.csv``,     | the learning curve and the training     | ``logs/*.csv``              |
| ``train.csv``            | log, every stretch of the run           |                             |
| ``stretches.csv``        | one row per stretch (host, dates, gens) | (in ``state.json``)         |
| ``games.npz``            | the newest self-play games whose files  | ``replay/gen-*/``, listed   |
|                          | fit in ``carry_games_mb``, as they are  | in their manifests          |

``DIR/carry.json`` names the snapshot folder and every file's size and SHA-256; it is written
last, then older snapshots are deleted, so a kill at any moment leaves the previous carry whole.
The games are the replay shards themselves (already compressed, checksummed, in whatever record
format wrote them), so the refilled replay window holds exactly the games that were played.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import sys
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from igo.data.replay_buffer import list_games
from igo.data.shards import ShardError, ShardInfo, restore_shards
from igo.files import write_bytes_atomic, write_text_atomic
from igo.nn.checkpoint import package_version
from igo.run_dir import ZeroRunDir
from igo.train.zero.loop_config import ZERO_CONFIGS, ConfigError, ZeroConfig
from igo.train.zero.loop_state import ZeroState, load_state

FORMAT = "igo.zero.carry"
FORMAT_VERSION = 1
MANIFEST = "carry.json"
_LOGS = ("generations.csv", "train.csv")


class CarryError(ConfigError):
    """A carry folder that cannot be read or restored (one line naming the problem)."""


@dataclass(frozen=True)
class Carried:
    """What one ``write_carry`` wrote."""

    generation: int
    """The generation the run goes on from."""
    games: int
    """Self-play games in the sample."""
    bytes: int
    """Size of the snapshot (every file)."""


def write_carry(config: ZeroConfig, run_dir: ZeroRunDir, state: ZeroState) -> Carried | None:
    """Write the run's continuation state into ``config.carry_dir`` (None: already carried at
    this generation)."""
    root = Path(config.carry_dir)
    snapshot = f"gen-{state.generation:06d}"
    manifest = _read_manifest(root)
    if manifest is not None and manifest["snapshot"] == snapshot:
        return None  # the carry of this generation is whole; never rewrite it in place
    best = run_dir.model_path(state.best_generation)
    files = {
        "config.toml": ZERO_CONFIGS.to_toml(config).encode(),
        "state.json": run_dir.state_path.read_bytes(),
        "best.safetensors": best.read_bytes(),
        "best.json": best.with_suffix(".json").read_bytes(),
        "trainer.safetensors": run_dir.checkpoint_path(state.train_steps).read_bytes(),
        "stretches.csv": stretches_csv(state.stretches).encode(),
    }
    logs = [run_dir.logs / name for name in _LOGS]
    files |= {path.name: path.read_bytes() for path in logs if path.exists()}
    files["games.npz"], games = pack_games(run_dir, int(config.carry_games_mb * 1e6))
    (root / snapshot).mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        write_bytes_atomic(root / snapshot / name, data)
    body = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "package_version": package_version(),
        "snapshot": snapshot,
        "generation": state.generation,
        "train_steps": state.train_steps,
        "best_generation": state.best_generation,
        "games": games,
        "files": {n: {"bytes": len(d), "sha256": _sha(d)} for n, d in files.items()},
    }
    write_text_atomic(root / MANIFEST, json.dumps(body, indent=1) + "\n")
    for old in root.glob("gen-*"):
        if old.is_dir() and old.name != snapshot:
            shutil.rmtree(old, ignore_errors=True)
    return Carried(state.generation, games, sum(len(d) for d in files.values()))


def resume_from_carry(config: ZeroConfig, run_dir: ZeroRunDir) -> None:
    """Before a run folder is opened: fill it from the carry if it has no state yet (a new
    machine), and refuse a carry that is ahead of the folder's state (the run went on
    elsewhere; resuming here would fork it).

    Raises:
        CarryError: as ``restore_carry``, or a carry ahead of the run folder.
    """
    if not config.carry_dir:
        return
    state = load_state(run_dir.state_path)
    if state is None:
        restored = restore_carry(config.carry_dir, run_dir)
        if restored is not None:
            games = len(list_games(run_dir.replay))
            print(
                f"igo zero: {run_dir.root} restored from the carry {config.carry_dir}: "
                f"generation {restored.generation}, {games} games",
                file=sys.stderr,
            )
        return
    carried = carried_generation(config.carry_dir)
    if carried is not None and carried > state.generation:
        raise CarryError(
            f"carry {config.carry_dir} is at generation {carried}, ahead of {run_dir.root} "
            f"(generation {state.generation}): delete that run folder to resume from the "
            "carry, or pick another --run-dir"
        )


def carried_generation(carry_dir: str | Path) -> int | None:
    """The generation a carry goes on from (None: nothing carried there yet)."""
    manifest = _read_manifest(Path(carry_dir))
    return None if manifest is None else int(manifest["generation"])


def restore_carry(carry_dir: str | Path, run_dir: ZeroRunDir) -> ZeroState | None:
    """Fill a run folder that has no state from a carry (None: nothing carried there yet).

    Raises:
        CarryError: an unreadable carry, a file missing or corrupt, a bad carried config.
    """
    root = Path(carry_dir)
    manifest = _read_manifest(root)
    if manifest is None:
        return None
    files = _read_files(root, manifest)
    try:
        text = files["config.toml"].decode()
        config = ZERO_CONFIGS.from_dict(tomllib.loads(text), str(root / "config.toml"))
        state = ZeroState(**json.loads(files["state.json"]))
    except (ValueError, TypeError, KeyError) as err:
        raise CarryError(f"carry {root}: unreadable config or state ({err})") from err
    for name in ("best.safetensors", "best.json", "trainer.safetensors", "games.npz"):
        if name not in files:
            raise CarryError(f"carry {root}: {MANIFEST} lists no {name}")
    run_dir.save_config(ZERO_CONFIGS.to_dict(config), package_version())
    best = run_dir.model_path(state.best_generation)
    write_bytes_atomic(best, files["best.safetensors"])
    write_bytes_atomic(best.with_suffix(".json"), files["best.json"])
    write_bytes_atomic(run_dir.checkpoint_path(state.train_steps), files["trainer.safetensors"])
    for name in _LOGS:
        if name in files:
            write_bytes_atomic(run_dir.logs / name, files[name])
    try:
        for generation, shards in unpack_games(files["games.npz"]).items():
            restore_shards(run_dir.replay_dir(generation), shards)
    except (ShardError, ValueError, KeyError) as err:
        raise CarryError(f"carry {root}: bad game sample ({err})") from err
    # Last: a kill before this leaves a folder without state, which is restored again.
    write_bytes_atomic(run_dir.state_path, files["state.json"])
    restored = load_state(run_dir.state_path)
    assert restored is not None
    return restored


def pack_games(run_dir: ZeroRunDir, max_bytes: int) -> tuple[bytes, int]:
    """The newest listed games whose files fit in ``max_bytes``, as one npz (not compressed
    again: each game file is a compressed npz already) and their count."""
    arrays: dict[str, np.ndarray] = {}
    index: list[dict[str, Any]] = []
    total = 0
    for entry in reversed(list_games(run_dir.replay)):
        path = run_dir.replay_dir(entry.generation) / entry.info.name
        if not path.exists():
            continue
        data = path.read_bytes()
        if total + len(data) > max_bytes:
            break
        total += len(data)
        arrays[f"game{len(index):06d}"] = np.frombuffer(data, dtype=np.uint8)
        index.append({"generation": entry.generation, "info": asdict(entry.info)})
    arrays["index"] = np.frombuffer(json.dumps(index).encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=False, **arrays)
    return buffer.getvalue(), len(index)


def unpack_games(data: bytes) -> dict[int, list[tuple[ShardInfo, bytes]]]:
    """``pack_games``'s games by generation, oldest first."""
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        index = json.loads(npz["index"].tobytes())
        by_generation: dict[int, list[tuple[ShardInfo, bytes]]] = {}
        for i, item in reversed(list(enumerate(index))):
            info = dict(item["info"]) | {"sources": tuple(item["info"].get("sources", ()))}
            shard = (ShardInfo(**info), npz[f"game{i:06d}"].tobytes())
            by_generation.setdefault(int(item["generation"]), []).append(shard)
    return by_generation


def stretches_csv(stretches: list[dict[str, Any]]) -> str:
    """One CSV row per stretch of the run (a process that ran it, on whatever machine)."""
    out = io.StringIO()
    columns = ["stretch", "host", "started", "ended", "from_generation", "to_generation"]
    writer = csv.DictWriter(out, columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(stretches)
    return out.getvalue()


def _read_manifest(root: Path) -> dict[str, Any] | None:
    path = root / MANIFEST
    if not path.exists():
        if root.is_dir() and any(p.name != ".gitkeep" for p in root.iterdir()):
            raise CarryError(f"carry {root}: no {MANIFEST} in a folder that is not empty")
        return None
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        if body.get("format") != FORMAT or body.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"not an {FORMAT} version {FORMAT_VERSION} manifest")
        for key in ("snapshot", "generation", "files"):
            body[key]  # noqa: B018 (a KeyError names the missing key)
        return dict(body)
    except (OSError, ValueError, KeyError, AttributeError) as err:
        raise CarryError(f"carry {path}: unreadable ({err})") from err


def _read_files(root: Path, manifest: dict[str, Any]) -> dict[str, bytes]:
    files = {}
    for name, facts in manifest["files"].items():
        path = root / manifest["snapshot"] / name
        try:
            data = path.read_bytes()
        except OSError as err:
            raise CarryError(f"carry {root}: {path.name} is missing ({err.strerror})") from err
        if _sha(data) != facts["sha256"]:
            raise CarryError(f"carry {root}: {path} is corrupt (checksum mismatch)")
        files[name] = data
    return files


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
