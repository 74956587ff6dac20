"""Beyond one machine: screen a dask DataFrame (or a glob of CSV/Parquet files) partition by
partition on a Dask cluster (`pip install 'screener[dask]'`).

Each worker process keeps one Screener per rule pack (built on first use: durable_rules hosts
cannot move between processes). Partitions are screened in parallel; rows that a cap rule
matched come back unfinished and are judged in one ordered final step on the client, with the
ledger, exactly as the single-process path does. Ids repeated across partitions are found in a
small pre-pass so that each partition knows which of its rows repeat an earlier id.

    from dask.distributed import Client
    from screener.dask import screen_dask
    client = Client("tcp://scheduler:8786")          # or LocalCluster()
    report = screen_dask("s3://bucket/customs/2019-*.csv", client=client)
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .caps import apply_caps, record_deliveries
from .ingest import duplicate_id_error, split_columns
from .ledger import Ledger
from .loader import default_pack_dir, load_rules
from .report import Report, Result, summarise
from .screener import Screener
from .transaction import Transaction

_SCREENERS: dict[tuple[str, ...], Screener] = {}
_LOCK = threading.Lock()


def _screener(pack_dirs: tuple[str, ...]) -> Screener:
    with _LOCK:  # dask runs tasks in threads: one Screener (and host) per process and pack
        if pack_dirs not in _SCREENERS:
            _SCREENERS[pack_dirs] = Screener(load_rules(*pack_dirs))
        return _SCREENERS[pack_dirs]


def _screen_partition(frame: Any, first_row: int, pack_dirs: tuple[str, ...],
                      repeats: dict[int, int]) -> list[tuple[Result, Transaction | None, bool]]:
    screener = _screener(pack_dirs)
    aggregate = screener.aggregate_rule_ids
    out = []
    for offset, record in enumerate(frame.to_dict(orient="records")):
        row = first_row + offset
        raw = split_columns({k: ("" if v is None else v) for k, v in record.items()}, row)
        if row in repeats:
            key = str(raw.values.get("id", "")).strip()
            raw.problems.append(duplicate_id_error(row, key, repeats[row]))
        with _LOCK:
            result, tx = screener.screen_row(raw)
        pending = tx is not None and any(f.rule_id in aggregate for f in result.findings)
        out.append((result, tx if pending else None, pending))
    return out


def _as_frame(data: Any) -> Any:
    import dask.dataframe as dd

    if isinstance(data, str | Path):
        text = str(data)
        if text.endswith(".parquet") or Path(text).is_dir():
            return dd.read_parquet(text).astype(str)
        return dd.read_csv(text, dtype=str, keep_default_na=False, blocksize="16MB")
    return data


def _repeated_ids(frame: Any, starts: list[int]) -> dict[int, int]:
    """{row: first row with the same id} for ids that occur more than once, found with a
    small pre-pass (only repeated ids travel back to the client)."""
    columns = [c for c in frame.columns if str(c).strip().casefold() == "id"]
    if not columns:
        return {}
    ids = frame[columns[0]].astype(str).str.strip()
    counts = ids.value_counts().compute()
    repeated = set(counts[counts > 1].index) - {""}
    if not repeated:
        return {}
    first: dict[str, int] = {}
    repeats: dict[int, int] = {}
    for part, start in zip(ids.to_delayed(), starts, strict=True):
        values = part.compute()
        for offset, key in enumerate(values):
            if key in repeated:
                row = start + offset
                if key in first:
                    repeats[row] = first[key]
                else:
                    first[key] = row
    return repeats


def screen_dask(data: Any, client: Any = None, rules: Sequence[str | Path] | None = None,
                ledger: Ledger | None = None, source: str | None = None) -> Report:
    """Screen a dask DataFrame, or a CSV/Parquet path or glob, on `client`'s cluster (or the
    default scheduler). Returns the same Report as `Screener.screen` over the rows in order
    (row numbers count data rows from 1 across partitions)."""
    import dask

    pack_dirs = tuple(str(Path(r).resolve()) for r in (rules or [default_pack_dir()]))
    frame = _as_frame(data)
    lengths = frame.map_partitions(len).compute()
    starts, total = [], 1
    for length in lengths:
        starts.append(total)
        total += int(length)
    repeats = _repeated_ids(frame, starts)
    tasks = [dask.delayed(_screen_partition)(part, start, pack_dirs,
                                             {r: f for r, f in repeats.items()
                                              if start <= r < start + int(length)})
             for part, start, length in zip(frame.to_delayed(), starts, lengths, strict=True)]
    parts = client.gather(client.compute(tasks)) if client is not None \
        else dask.compute(*tasks)
    results: list[Result] = []
    capped: dict[int, Transaction] = {}
    for part in parts:
        for result, tx, pending in part:
            results.append(result)
            if pending and tx is not None:
                capped[result.row] = tx
    local = _screener(pack_dirs)
    label = source or (str(data) if isinstance(data, str | Path) else "dask dataframe")
    deliveries = apply_caps(results, capped, local.pack, ledger, label)
    cited = {c for r in results for f in r.findings for c in f.precedents}
    return Report(screener_version=__version__, source=label, ruleset=local.ruleset_info,
                  summary=summarise(results), results=results,
                  precedents=local.precedent_refs(cited),
                  ledger=record_deliveries(ledger, deliveries))
