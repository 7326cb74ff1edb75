"""The id cache: round trips, keys, damaged files, concurrent writers, info and clear."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from datatenet.formats.load import LoadOptions, parse_version
from datatenet.idcache import IdCache, clear, options_key, stats
from datatenet.repo.repository import IDS_DIR
from datatenet.repo.repository import Repo as Repository
from datatenet.version import Version
from tests.repos import Repo, alpaca

ADDRESS = "git:" + "ab" * 20


@pytest.fixture
def version() -> Version:
    data = (alpaca(50) + "not json\n" + '{"id": 7, "instruction": "q", "output": "a"}\n').encode()
    return parse_version(data, "data/x.jsonl", LoadOptions(skip_invalid=True))


@pytest.fixture
def cache(tmp_path: Path) -> IdCache:
    return IdCache(tmp_path / "ids")


def only_file(cache: IdCache) -> Path:
    (path,) = [p for p in cache.directory.rglob("*") if p.is_file()]
    return path


def test_round_trip(cache: IdCache, version: Version) -> None:
    key = options_key(LoadOptions(skip_invalid=True))
    assert cache.get(ADDRESS, key) is None
    assert cache.put(ADDRESS, key, version)
    found = cache.get(ADDRESS, key)
    assert found is not None
    assert found.entries == version.entries
    assert found.invalid == version.invalid and len(found.invalid) == 1
    assert (found.file_format, found.schema, found.position_kind) == (
        version.file_format,
        version.schema,
        version.position_kind,
    )
    again = found.version("elsewhere.jsonl")
    assert again.label == "elsewhere.jsonl" and again.entries == version.entries
    assert only_file(cache).stat().st_size < 60 * len(version.entries) + 1000


def test_keys_are_stored(cache: IdCache) -> None:
    data = (
        b'{"id": 1, "instruction": "q", "output": "a"}\n'
        b'{"id": "x", "instruction": "r", "output": "b"}\n'
    )
    options = LoadOptions(key="id")
    keyed = parse_version(data, "k.jsonl", options)
    cache.put(ADDRESS, options_key(options), keyed)
    found = cache.get(ADDRESS, options_key(options))
    assert found is not None and [e.key for e in found.entries] == ["1", "x"]


def test_empty_version(cache: IdCache) -> None:
    empty = parse_version(b"", "e.jsonl", LoadOptions())
    cache.put(ADDRESS, "o", empty)
    found = cache.get(ADDRESS, "o")
    assert found is not None and found.entries == ()


def test_options_and_address_are_part_of_the_key(cache: IdCache, version: Version) -> None:
    key = options_key(LoadOptions(skip_invalid=True))
    cache.put(ADDRESS, key, version)
    different = [
        options_key(LoadOptions()),
        options_key(LoadOptions(skip_invalid=True, key="id")),
        options_key(LoadOptions(skip_invalid=True, schema="alpaca")),
        options_key(LoadOptions(skip_invalid=True, mapping={"prompt": "q"})),
        options_key(LoadOptions(skip_invalid=True), extra={"file_name": "x.jsonl"}),
    ]
    assert len(set(different)) == len(different) and key not in different
    assert all(cache.get(ADDRESS, other) is None for other in different)
    assert cache.get("git:" + "cd" * 20, key) is None
    assert '"canonical":' in key and '"datatenet":' in key


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: data[:-5] + bytes([data[-5] ^ 1]) + data[-4:],  # one bit flipped
        lambda data: b"",  # empty
        lambda data: b"PAR1 something else entirely",  # foreign
        lambda data: data[:12] + b"{not json" + data[21:],  # a damaged header
    ],
)
def test_damaged_files_are_ignored_then_rebuilt(cache: IdCache, version: Version, damage) -> None:  # type: ignore[no-untyped-def]
    cache.put(ADDRESS, "o", version)
    path = only_file(cache)
    path.write_bytes(damage(path.read_bytes()))
    assert cache.get(ADDRESS, "o") is None
    assert cache.put(ADDRESS, "o", version)
    found = cache.get(ADDRESS, "o")
    assert found is not None and found.entries == version.entries


def test_a_file_for_another_address_is_not_trusted(cache: IdCache, version: Version) -> None:
    cache.put(ADDRESS, "o", version)
    other = IdCache(cache.directory)
    other.put("git:" + "ef" * 20, "o", version)
    stolen = [p for p in cache.directory.rglob("*") if p.is_file()]
    assert len(stolen) == 2
    first, second = stolen
    first.write_bytes(second.read_bytes())  # one entry's file now holds the other's
    answers = [cache.get(ADDRESS, "o"), cache.get("git:" + "ef" * 20, "o")]
    assert answers.count(None) == 1


def test_concurrent_writers_and_readers(tmp_path: Path) -> None:
    """Several processes write the same entries while others read: never a partial file."""
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from datatenet.formats.load import LoadOptions, parse_version\n"
        "from datatenet.idcache import IdCache\n"
        "from tests.repos import alpaca\n"
        "cache = IdCache(Path(sys.argv[1]))\n"
        "version = parse_version(alpaca(2000).encode(), 'x.jsonl', LoadOptions())\n"
        "bad = 0\n"
        "for round in range(40):\n"
        "    address = f'git:{round % 4:040d}'\n"
        "    cache.put(address, 'o', version)\n"
        "    found = cache.get(address, 'o')\n"
        "    bad += found is None or found.entries != version.entries\n"
        "print(bad)\n"
    )
    root = Path(__file__).resolve().parent.parent
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(tmp_path / "ids")],
            cwd=root,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outputs = [p.communicate(timeout=120)[0].strip() for p in processes]
    assert outputs == ["0"] * 4
    assert not list((tmp_path / "ids").rglob(".tmp-*"))
    assert stats(tmp_path / "ids").files == 4


def test_unwritable_cache_is_not_an_error(tmp_path: Path, version: Version) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    cache = IdCache(blocker / "ids")
    assert not cache.put(ADDRESS, "o", version)
    assert cache.get(ADDRESS, "o") is None


def test_info_and_clear_in_a_repository(tmp_path: Path, version: Version) -> None:
    repo = Repo(tmp_path / "repo")
    cache_root = Repository.open(repo.path).cache_root
    cache = IdCache(cache_root / IDS_DIR)
    assert cache.directory == (repo.path / ".git" / "datatenet" / "ids").resolve()
    assert cache_root == cache.directory.parent
    assert stats(cache.directory).files == 0
    cache.put(ADDRESS, "a", version)
    cache.put(ADDRESS, "b", version)
    info = stats(cache.directory)
    assert info.files == 2 and info.bytes > 2 * 56 * len(version.entries)
    removed = clear(cache.directory)
    assert removed == info
    assert stats(cache.directory).files == 0 and not cache.directory.exists()
    assert cache.get(ADDRESS, "a") is None
