"""Where the bytes of a dataset version come from: git (revisions, index, work tree) and DVC."""
