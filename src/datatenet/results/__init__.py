"""What the verbs return (`verbs/`) and the renderers render (`report/`): plain typed values.

A diff is a list of datasets, each a change set paired with its analysis (and, in a repository,
where it sits): `results/diff.py`. The commit hooks return their verdicts (`results/commit.py`),
check-range one record per data commit (`results/range.py`), install what it wrote
(`results/install.py`). Log is one entry per data commit and
blame one line per sample: `results/history.py`. Nothing here reads git or prints.
"""
