"""Export a sentence-transformers model to ONNX once, for embedding without torch afterwards.

Export path: `torch.onnx.export` with the TorchScript exporter (`dynamo=False`), over a small
wrapper that feeds the tokenizer's tensors to the whole SentenceTransformer (transformer, pooling,
normalization), so the ONNX graph returns the sentence embedding itself. It works offline with
what the embeddings extra installs. The alternatives were measured and set aside:
sentence-transformers' `backend="onnx"` and `optimum-onnx` both need optimum, which pins
transformers below what sentence-transformers installs here (it would downgrade the model stack);
the dynamo exporter needs onnxscript besides.

The export is checked before it is kept: its vectors for a set of probe texts (short, long past
the sequence limit, empty, Chinese) must reach cosine 0.9999 with sentence-transformers' own,
or the export is discarded and the model runs under torch. The tokenizer is saved from the model
(`tokenizer.json` of the `tokenizers` library) with the model's sequence limit, and `export.json`
records what the runtime needs to tokenize as sentence-transformers does.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

FORMAT = 1
OPSET = 17
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
META_FILE = "export.json"
AGREEMENT = 0.9999  # minimum cosine of the export with sentence-transformers on the probes
PROBES = (
    "How do I reset my password?",
    "",
    "Write a short poem about the sea, then explain its metre line by line. " * 40,
    "中文文本的嵌入",
    "A mid-length answer: the capital of France is Paris, on the Seine.",
)
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
_SUPPORTED = frozenset({"Transformer", "Pooling", "Normalize", "Dense"})


class ExportFailed(Exception):
    """The model cannot be exported or its export disagrees; it runs under torch instead."""


def export_settings() -> str:
    return f"onnx-export-v{FORMAT}|opset={OPSET}|fp32"


def export_model(model: Any, directory: Path) -> dict[str, Any]:
    """Write `model` (a loaded SentenceTransformer) as ONNX with its tokenizer into `directory`;
    returns the metadata written to export.json. Raises ExportFailed."""
    import torch

    kinds = [type(module).__name__ for module in model]
    if not kinds or kinds[0] != "Transformer" or not set(kinds) <= _SUPPORTED:
        raise ExportFailed(f"modules {kinds} are not a plain transformer with pooling")
    transformer = model[0]
    tokenizer = transformer.tokenizer
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        raise ExportFailed("the model has no fast tokenizer to save")
    inputs = [name for name in _INPUTS if name in tokenizer.model_input_names]
    if "input_ids" not in inputs or "attention_mask" not in inputs:
        raise ExportFailed(f"unexpected tokenizer inputs {tokenizer.model_input_names}")
    model = model.to("cpu").eval()
    wrapper = _wrapper(model, inputs)
    sample = tokenizer(["a probe", "a longer probe text"], padding=True, return_tensors="pt")
    args = tuple(sample[name] for name in inputs)
    axes: dict[str, dict[int, str]] = {name: {0: "batch", 1: "sequence"} for name in inputs}
    axes["sentence_embedding"] = {0: "batch"}
    path = directory / MODEL_FILE
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer's and the exporter's chatter
            torch.onnx.export(
                wrapper,
                args,
                str(path),
                input_names=inputs,
                output_names=["sentence_embedding"],
                dynamic_axes=axes,
                opset_version=OPSET,
                dynamo=False,
            )
    except Exception as error:  # the exporter raises many types; any failure means torch
        raise ExportFailed(f"torch.onnx.export failed: {error}") from error
    backend.save(str(directory / TOKENIZER_FILE))
    meta = {
        "format": FORMAT,
        "inputs": inputs,
        "do_lower_case": bool(getattr(transformer, "do_lower_case", False)),
        "pad_id": int(tokenizer.pad_token_id or 0),
        "pad_token": str(tokenizer.pad_token or "[PAD]"),
        "dimension": int(model.encode([""], convert_to_numpy=True).shape[1]),
        "torch": torch.__version__,
    }
    (directory / META_FILE).write_text(json.dumps(meta, indent=1))
    return meta


def check_agreement(model: Any, run: Any, max_seq_length: int) -> float:
    """The lowest cosine between sentence-transformers and `run` (texts -> vectors) on the
    probes; raises ExportFailed below AGREEMENT."""
    import numpy as np

    previous = model.max_seq_length
    model.max_seq_length = max_seq_length
    try:
        want = model.encode(list(PROBES), normalize_embeddings=True, convert_to_numpy=True)
    finally:
        model.max_seq_length = previous
    got = np.asarray(run(list(PROBES)), dtype=np.float32)
    lowest = float(np.einsum("ij,ij->i", want, got).min())
    if not lowest >= AGREEMENT:
        raise ExportFailed(f"the export agrees with sentence-transformers to cosine {lowest:.5f}")
    return lowest


def _wrapper(model: Any, inputs: list[str]) -> Any:
    """Positional tensors in, the sentence embedding out: what torch.onnx.export traces."""
    import torch

    class Wrapper(torch.nn.Module):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tensors: Any) -> Any:
            features = dict(zip(inputs, tensors, strict=True))
            return self.model(features)["sentence_embedding"]

    return Wrapper().eval()
