"""Analyses of a change: duplicates (exact, near, semantic) and conflicting answers."""
