"""The library's one base exception.

Problems in a workbook are never raised: they come back as `Issue` values. What is raised
is what stops a command before any workbook is read — a rules file, a template, a `--info`
file that cannot be used, a PDF that could not be made — and every such error derives
from `BaocaoError`, with a Vietnamese message that names the file and what is wrong, so
a caller can catch the library's refusals in one `except`.
"""

from __future__ import annotations


class BaocaoError(Exception):
    """A refusal of the library, its message ready for the user."""
