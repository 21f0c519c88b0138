"""newsroom-mt: self-hosted news translation and neutral summaries over Hugging Face models."""

__version__ = "0.1.0"
