"""ftwizard: decide how to fine-tune an open LLM, then do it on your own workstation."""

__version__ = "0.1.0"
