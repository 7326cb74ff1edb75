"""datatenet: version control for LLM fine-tuning datasets, sample by sample."""

__version__ = "0.1.0"
