"""Does the embedding model read the dataset's language? A warning when it plainly does not.

all-MiniLM-L6-v2, the default model, was trained on English: on Chinese text its vectors say
little (its vocabulary splits Chinese into single characters, many of them unknown), so the
semantic tier would miss paraphrases and match unrelated samples. A dataset whose letters are
mostly CJK (Chinese, Japanese, Korean) embedded with an English-only model gets a note that names
a multilingual model to configure, and no verdict that rests on an embedding is made on a sample
mostly in such a language (`covers`): the lexical tiers, which shingle by characters there, still
run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MULTILINGUAL_MODEL = "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2"
MOSTLY = 0.5  # share of CJK characters among letters above which a dataset is "mostly" CJK
SAMPLE_CHARS = 200_000  # enough text to judge a dataset's language, cheap to count

# English-only sentence-transformers families (base names, lower case, without the owner).
_ENGLISH_ONLY = re.compile(
    r"^(all-|multi-qa-|msmarco-|nli-|stsb-|average_word_embeddings_|gtr-t5-|sentence-t5-"
    r"|paraphrase-(minilm|mpnet|albert|distilroberta|tinybert)|bge-[a-z]+-en|e5-(small|base|large)"
    r"(-v2)?$|gte-(small|base|large)$|nomic-embed-text)"
)
_CJK = re.compile(
    "[\u1100-\u11ff\u3040-\u30ff\u3100-\u312f\u3130-\u318f\u31a0-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f]"
)

_CJK_RUN = re.compile(f"(?:{_CJK.pattern})+")


def is_english_only(model: str) -> bool:
    """Whether a model name is one of the known English-only sentence-transformers models.
    Accepts an embedder name too (`model|setting=...`)."""
    base = model.split("|", 1)[0].rstrip("/").rsplit("/", 1)[-1].lower()
    return bool(_ENGLISH_ONLY.match(base)) and "multilingual" not in base


def cjk_share(texts: Iterable[str], limit: int = SAMPLE_CHARS) -> float:
    """The share of CJK characters among the letters of the texts (up to `limit` characters)."""
    cjk = letters = seen = 0
    for text in texts:
        text = text[: limit - seen]
        seen += len(text)
        cjk += len(_CJK.findall(text))
        letters += sum(map(str.isalpha, text))
        if seen >= limit:
            break
    return cjk / letters if letters else 0.0


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


def covers(model: str, text: str) -> bool:
    """Whether the model reads the language a text is mostly written in: False for a mostly
    CJK text and an English-only model (its vectors would pair unrelated texts)."""
    if not is_english_only(model) or not has_cjk(text):
        return True  # (no CJK character: no need to count the letters)
    return cjk_share((text,)) <= MOSTLY


def read_part(model: str, text: str) -> str:
    """The text without the runs of CJK characters an English-only model does not read. The
    cascade's fast stage compares this: a static model averages its token vectors, so a few
    unread characters' vectors outweigh an English question the confirming model still matches
    (bench/cascade_calibration.py), while the confirming model sees the whole text."""
    if not is_english_only(model) or not has_cjk(text):
        return text
    return _CJK_RUN.sub(" ", text)


def language_warning(texts: Iterable[str], model: str) -> str | None:
    """A one-line note when mostly-CJK texts are embedded with an English-only model."""
    if not is_english_only(model):
        return None
    share = cjk_share(texts)
    if share <= MOSTLY:
        return None
    name = model.split("|", 1)[0]
    return (
        f"{share:.0%} of the text is Chinese, Japanese or Korean, but the embedding model {name} "
        "reads English only: no semantic verdict is made on those samples (the exact and near "
        "tiers still compare them, by characters, and reworded copies sharing most character "
        "pairs are shown as possible duplicates). Configure a multilingual model, e.g. "
        f'model = "{MULTILINGUAL_MODEL}" in .datatenet.toml'
    )
