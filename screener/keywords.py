"""Keyword matching on descriptions, done in Python before facts reach durable_rules.

durable_rules' regular expressions are not reliable for this: measured on 2.0.28,
`.*copper c.*` does not match " hyesan copper concentrate " while `.*opper.*` does, and a
pattern with spaces around a word fails on text that contains it. So descriptions are folded to
words here and every keyword found becomes a boolean key of the fact (see facts.py), which the
compiled rules test by equality.
"""

from __future__ import annotations

from collections.abc import Iterable

from .text import fold


class KeywordIndex:
    """Finds which known keywords (whole words or phrases, any case, simple plurals) occur."""

    def __init__(self, keywords: Iterable[str]):
        self.ids: dict[str, int] = {}
        for keyword in keywords:
            self.ids.setdefault(fold(keyword), len(self.ids))
        self.longest = max((len(k.split()) for k in self.ids), default=0)

    def key(self, keyword: str) -> str:
        return f"kw{self.ids[fold(keyword)]}"

    def find(self, text: str) -> set[str]:
        """The folded keywords present in `text`."""
        words = fold(text).split()
        found: set[str] = set()
        for size in range(1, self.longest + 1):
            for start in range(len(words) - size + 1):
                gram = " ".join(words[start:start + size])
                for candidate in (gram, _singular(gram)):
                    if candidate in self.ids:
                        found.add(candidate)
        return found


def _singular(gram: str) -> str:
    if gram.endswith("es") and len(gram) > 4:
        return gram[:-2] if gram[:-2].endswith(("s", "x", "ch", "sh")) else gram[:-1]
    if gram.endswith("s") and not gram.endswith("ss") and len(gram) > 3:
        return gram[:-1]
    return gram
