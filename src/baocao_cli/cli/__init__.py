"""The command line: a thin face over the library (`baocao_cli.check`, `build`, …)."""

from .app import app, main

__all__ = ["app", "main"]
