"""Data bisect: find the data commit that degraded a model, then the samples inside it.

search (which commit to probe) and ddmin (which samples) are pure; candidates and datasets
read the repository; worktree puts a revision's data on disk; runner runs CMD; state keeps
the bisect under the git directory; session, run and manual are the verbs.
"""
