"""Errors that stop a whole run. Row-level problems are values (RowError), not exceptions."""

from __future__ import annotations


class ScreenerError(Exception):
    """Base class: the CLI turns these into one clear message and exit code 2."""


class RulePackError(ScreenerError):
    """A rule pack that cannot be loaded. Every problem found is listed, each naming its file
    and, where there is one, the rule id."""

    def __init__(self, problems: list):  # list[Problem]
        self.problems = problems
        super().__init__("invalid rule pack:\n" + "\n".join(f"  {p}" for p in problems))


class InputFileError(ScreenerError):
    """An input file that cannot be screened at all (not CSV, empty, required columns missing)."""
