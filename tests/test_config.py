"""Configuration: .datatenet.toml, [tool.datatenet], globs, mappings, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from datatenet.config import (
    Settings,
    glob_match,
    load_settings,
    settings_from_dict,
)
from datatenet.config_starter import starter_config
from datatenet.errors import DatatenetError
from datatenet.formats.load import LoadOptions


def write(root: Path, name: str, text: str) -> None:
    (root / name).write_text(text, encoding="utf-8")


def test_no_configuration_watches_dataset_suffixes(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    assert settings == Settings() and not settings.configured
    for path in ("a.jsonl", "d/b.json", "c.JSONL.GZ", "x/y.parquet", "t.tsv", "c.csv"):
        assert settings.is_dataset(path), path
    for path in ("README.md", "x.txt", "package.json", "d/dataset_info.json", ".github/a.json"):
        assert not settings.is_dataset(path), path
    assert settings.is_dataset("data/shards/s1.jsonl", ("data/shards.dvc", "data/shards"))


def test_datatenet_toml(tmp_path: Path) -> None:
    write(
        tmp_path,
        ".datatenet.toml",
        'datasets = ["data/**/*.jsonl", "data/*.dvc"]\neval = "eval/*.jsonl"\nkey = "id"\n'
        'model = "m"\n[mappings."data/qa.jsonl"]\nprompt = "question"\nkey = "uid"\n'
        '[mappings."data/sub/*.jsonl"]\nresponse = "answer"\nformat = "alpaca"\n'
        "[thresholds]\nnear_duplicate = 0.8\n[gates]\ncontradictions = { max = 0 }\n",
    )
    write(tmp_path, "pyproject.toml", '[tool.datatenet]\ndatasets = ["ignored"]\n')
    settings = load_settings(tmp_path)
    assert settings.source == tmp_path / ".datatenet.toml"
    assert settings.datasets == ("data/**/*.jsonl", "data/*.dvc") and settings.eval == (
        "eval/*.jsonl",
    )
    assert settings.thresholds == {"near_duplicate": 0.8}
    assert settings.gates["contradictions"] == {"max": 0}
    assert settings.is_dataset("data/a.jsonl") and settings.is_dataset("data/x/y/z.jsonl")
    assert not settings.is_dataset("other/a.jsonl")
    assert settings.is_dataset("data/shards/s.jsonl", ("data/shards.dvc", "data/shards"))
    assert settings.is_eval("eval/e.jsonl")
    qa = settings.load_options("data/qa.jsonl", LoadOptions())
    assert (dict(qa.mapping), qa.key, qa.schema) == ({"prompt": "question"}, "uid", None)
    sub = settings.load_options("data/sub/s.jsonl", LoadOptions())
    assert (dict(sub.mapping), sub.key, sub.schema) == ({"response": "answer"}, "id", "alpaca")
    cli = settings.load_options("data/qa.jsonl", LoadOptions(mapping={"prompt": "q"}, key="k"))
    assert (dict(cli.mapping), cli.key) == ({"prompt": "q"}, "k")


def test_pyproject_section(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        '[project]\nname = "x"\n[tool.datatenet]\ndatasets = ["*.csv"]\n',
    )
    settings = load_settings(tmp_path)
    assert settings.source == tmp_path / "pyproject.toml"
    assert settings.is_dataset("deep/down/a.csv")
    write(tmp_path, "pyproject.toml", '[project]\nname = "x"\n')
    assert load_settings(tmp_path) == Settings()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("datasets = [", ".datatenet.toml: not valid TOML"),
        ("datasets = 3", "`datasets` must be a list of glob strings, not a number"),
        ('datasets = ["a", 1]', "`datasets` must be a list of glob strings"),
        ("dataset = []", "unknown setting dataset"),
        ("key = 5", "`key` must be a non-empty string"),
        ('format = "nope"', "unknown schema 'nope'"),
        ("thresholds = 1", "`thresholds` must be a table"),
        ('[mappings]\n"a.jsonl" = "x"', '`mappings."a.jsonl"` must be a table'),
        ('[mappings."a.jsonl"]\nbogus = "x"', "maps 'bogus', which is not a canonical field"),
        ('[mappings."a.jsonl"]\nprompt = 1', '`mappings."a.jsonl".prompt` must be a field name'),
    ],
)
def test_mistakes_name_the_file_and_the_key(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path, ".datatenet.toml", text)
    with pytest.raises(DatatenetError) as caught:
        load_settings(tmp_path)
    assert message in caught.value.message
    assert caught.value.message.startswith(".datatenet.toml")
    assert caught.value.hint and caught.value.exit_code == 2


def test_pyproject_mistake_names_the_section(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[tool.datatenet]\neval = 1\n")
    with pytest.raises(DatatenetError, match=r"pyproject.toml \[tool.datatenet\]: `eval`"):
        load_settings(tmp_path)


def test_globs() -> None:
    assert glob_match("data/*.jsonl", "data/a.jsonl")
    assert not glob_match("data/*.jsonl", "data/sub/a.jsonl")
    assert glob_match("data/**/*.jsonl", "data/a.jsonl")
    assert glob_match("data/**/*.jsonl", "data/x/y/a.jsonl")
    assert glob_match("*.jsonl", "deep/a.jsonl")  # no slash: any directory
    assert glob_match("data", "data/x/a.jsonl")  # a directory: everything below
    assert glob_match("/data/a?.csv", "data/ab.csv")
    assert glob_match("data/[!x]*.csv", "data/a.csv") and not glob_match(
        "data/[!x]*.csv", "data/x.csv"
    )
    assert glob_match("données/my set.jsonl", "données/my set.jsonl")
    assert not glob_match("data/a+b.jsonl", "data/aab.jsonl")


def test_starter_config_is_valid(tmp_path: Path) -> None:
    text = starter_config(["data/a.jsonl", "data/b.jsonl", "x.json.gz", "notes.txt"], ["d/s.dvc"])
    assert 'datasets = ["data/*.jsonl", "*.json.gz", "d/*.dvc"]' in text
    write(tmp_path, ".datatenet.toml", text)
    assert load_settings(tmp_path).datasets == ("data/*.jsonl", "*.json.gz", "d/*.dvc")


def test_max_seq_length_is_a_positive_whole_number() -> None:
    settings = settings_from_dict({"max_seq_length": 128}, None, ".datatenet.toml")
    assert settings.max_seq_length == 128
    for wrong in (0, -3, "long", 1.5, True):
        with pytest.raises(DatatenetError) as caught:
            settings_from_dict({"max_seq_length": wrong}, None, ".datatenet.toml")
        assert "max_seq_length" in caught.value.message
        assert "max_seq_length = 256" in caught.value.hint


def test_semantic_mode_is_cascade_or_exact_and_reaches_the_analysis_config() -> None:
    from datatenet.repo.analyses import analysis_config

    settings = settings_from_dict({"semantic_mode": "exact"}, None, ".datatenet.toml")
    assert settings.semantic_mode == "exact"
    assert analysis_config(None, settings).semantic_mode == "exact"
    default = settings_from_dict({}, None, ".datatenet.toml")
    assert default.semantic_mode is None
    assert analysis_config(None, default).semantic_mode == "cascade"
    with pytest.raises(DatatenetError) as caught:
        settings_from_dict({"semantic_mode": "fast"}, None, ".datatenet.toml")
    assert "semantic_mode" in caught.value.message and "'fast'" in caught.value.message
    assert 'semantic_mode = "exact"' in caught.value.hint


def test_model_precision_is_auto_or_fp32_and_reaches_the_analysis_config() -> None:
    from datatenet.repo.analyses import analysis_config

    settings = settings_from_dict({"model_precision": "fp32"}, None, ".datatenet.toml")
    assert settings.model_precision == "fp32"
    config = analysis_config(None, settings)
    assert config.model_precision == "fp32" and config.precision_here == "fp32"
    default = settings_from_dict({}, None, ".datatenet.toml")
    assert default.model_precision is None
    assert analysis_config(None, default).model_precision == "auto"
    for wrong in ("bf16", "int8", 16):
        with pytest.raises(DatatenetError) as caught:
            settings_from_dict({"model_precision": wrong}, None, ".datatenet.toml")
        assert "model_precision" in caught.value.message
        assert 'model_precision = "fp32"' in caught.value.hint
