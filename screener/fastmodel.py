"""Build a pydantic model instance from values that are already valid and typed, without
re-validating them: what `model_construct` does, minus resolving every field default, which
dominated the cost of a screened row. Only screener's own hot path uses it, and tests check
that such objects equal validated ones (tests/test_engine.py)."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


def construct(model: type[M], fields: dict[str, Any], given: set[str] | None = None) -> M:
    """`fields` must hold every field of `model`; `given` are the ones the caller set."""
    instance = model.__new__(model)
    object.__setattr__(instance, "__dict__", fields)
    object.__setattr__(instance, "__pydantic_fields_set__",
                       set(fields) if given is None else given)
    object.__setattr__(instance, "__pydantic_extra__", None)
    object.__setattr__(instance, "__pydantic_private__", None)
    return instance
