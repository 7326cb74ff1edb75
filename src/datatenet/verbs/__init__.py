"""The verbs: each takes the repository (`repo.Repo`) and what the command line asked, and
returns a typed result for a renderer (`report/`). Nothing here prints or runs git."""
