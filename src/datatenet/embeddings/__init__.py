"""Sentence embeddings: the Embedder protocol, the sentence-transformers backend, the cache."""
