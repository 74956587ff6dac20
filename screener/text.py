"""Text normalisation shared by country lookup, keyword matching and free-text comparisons."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_DROP = re.compile(r"[.'’`]")
_SPLIT = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=65536)  # country names, ports and goods repeat across rows
def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form: "D.P.R. Korea" -> "dpr korea",
    "Korea, Democratic People's Republic of" -> "korea democratic peoples republic of"."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _DROP.sub("", text.casefold())
    return " ".join(_SPLIT.split(text)).strip()
