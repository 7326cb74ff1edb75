"""Renderers of a change: terminal text and JSON (HTML and Markdown come with [REPORT])."""
