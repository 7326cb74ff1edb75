"""The story `datatenet demo` plays: one data commit per step, each through the real hooks.

Every step appends a batch of demo/data/ to the dataset and commits it with its message; a step
that expects a refusal shows what the hook says and leaves the batch staged for the next step.
"""

from __future__ import annotations

from dataclasses import dataclass

DATASET = "data/support.jsonl"
EVAL_SET = "eval/held_out.jsonl"  # written from demo/data/eval.jsonl by the set-up commit
EVAL_BATCH = "eval.jsonl"
CONFIG = r'''# The Quillnote support assistant's fine-tuning data (made by `datatenet demo`).
datasets = ["data/*.jsonl"]
eval = ["eval/*.jsonl"]

# In this demo every gate warns instead of refusing, so that each commit of the story lands
# and its report shows what a reviewer would see. A real repository keeps the defaults:
# duplicates, contradictions and eval contamination refuse the commit.
[gates]
added_duplicate_share = { max = 0.05, level = "warn" }
contradictions = { max = 0, level = "warn" }
eval_contamination = { max = 0, level = "warn" }

[behaviours.numbered-steps]
statement = "Answer how-to questions about Quillnote with numbered steps for the user's platform."
marker = '(?m)^1\. '

[behaviours.look-in-trash-first]
statement = """When a user says notes are missing, look in the Trash and the version history \
before anything else."""
marker = '(?i)\btrash\b|version history'
'''


@dataclass(frozen=True)
class Step:
    name: str  # a short slug: names the step's report files
    title: str  # what the step shows, one line
    batch: str | None  # the file of demo/data/ appended to the dataset (None: nothing new)
    message: str  # the commit message
    refused: bool = False  # the hooks are expected to refuse the commit


STEPS: tuple[Step, ...] = (
    Step(
        "handbook",
        "The support handbook: how-to answers for every platform",
        "support.jsonl",
        "Start the support dataset from the handbook\n\nReinforces: numbered-steps",
    ),
    Step(
        "lost-notes",
        "A focused batch with a clear statement",
        "lost_notes.jsonl",
        "Teach the assistant to find notes users think are lost\n\nReinforces: look-in-trash-first",
    ),
    Step(
        "vague",
        "A commit refused: its statement says nothing",
        "duplicates.jsonl",
        "Add samples\n\nReinforces: more data",
        refused=True,
    ),
    Step(
        "duplicates",
        "The same batch, stated: it repeats samples the dataset already has",
        None,
        "Repeat the most asked how-to answers\n\n"
        "Reinforces: Answer the most common how-to questions with the handbook's steps.",
    ),
    Step(
        "logs",
        "Raw support logs: noise, answers that contradict the handbook, eval questions",
        "logs.jsonl",
        "Add last month's support conversations\n\n"
        "Reinforces: Answer the questions users actually send, as support agents did last month.",
    ),
    Step(
        "friendly",
        "A batch that changes the answer style",
        "friendly.jsonl",
        "Answer in a warmer voice\n\n"
        "Reinforces: Answer how-to questions in a warm, enthusiastic tone with headings.",
    ),
    Step(
        "misc",
        "A batch scattered over unrelated topics",
        "misc.jsonl",
        "Broaden what the assistant can answer\n\n"
        "Reinforces: Answer whatever users ask, helpfully and accurately.",
    ),
)
