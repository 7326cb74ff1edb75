"""Renderers: terminal text and JSON documents from the results the verbs return."""
