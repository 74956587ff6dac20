"""Parsers for single cell values. Each returns the canonical value or raises ValueError whose
message is written for a compliance officer (it ends up in the row's error)."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HS_SEPARATORS = re.compile(r"[\s.\-]")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
MAX_NUMBER = 1e15  # no single shipment's quantity or value comes near it
_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f"}


def parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not _ISO_DATE.match(text):
        raise ValueError(f"{text!r} is not an ISO date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a calendar date") from None


def normalise_hs_code(value: Any) -> str:
    """"2603.00", "2603 00", "260300", "26.08", "7108.12.00" -> digit strings.

    An odd number of digits below six means a leading zero was lost (spreadsheets turn "0301"
    into 301); that is refused rather than guessed.
    """
    if isinstance(value, float):
        raise ValueError(f"HS code {value!r} was given as a number; write it as text")
    text = _HS_SEPARATORS.sub("", str(value).strip())
    if not text.isdigit() or not text.isascii():
        raise ValueError(f"HS code {str(value).strip()!r} is not made of digits")
    if len(text) < 2 or len(text) > 12:
        raise ValueError(f"HS code {text!r} must have 2 to 12 digits")
    if len(text) < 6 and len(text) % 2:
        raise ValueError(f"HS code {text!r} has an odd number of digits "
                         "(a leading zero lost by a spreadsheet?)")
    return text


def parse_number(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip().replace(" ", "")
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{str(value).strip()!r} is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{value!r} is not a finite number")
    if number < 0:
        raise ValueError(f"{value!r} is negative")
    if number > MAX_NUMBER:
        raise ValueError(f"{value!r} is implausibly large (over {MAX_NUMBER:.0e})")
    return number


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{str(value).strip()!r} is not true/false")


def normalise_imo(value: Any) -> str:
    text = str(value).strip().upper().removeprefix("IMO").strip()
    if not (len(text) == 7 and text.isdigit()):
        raise ValueError(f"{str(value).strip()!r} is not a 7-digit IMO number")
    return text


def imo_checksum_ok(imo: str) -> bool:
    return sum(int(d) * w for d, w in zip(imo[:6], range(7, 1, -1), strict=True)) % 10 == int(
        imo[6]
    )
