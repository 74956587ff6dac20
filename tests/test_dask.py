"""The Dask path on a LocalCluster with 2 worker processes gives the single-process results."""

from __future__ import annotations

import json
import random

import pytest

dask = pytest.importorskip("dask", reason="the dask extra is installed by `make test`")
from dask.distributed import Client, LocalCluster  # noqa: E402

from screener import Screener  # noqa: E402
from screener.dask import screen_dask  # noqa: E402
from screener.ledger import Ledger  # noqa: E402

HEADER = ("id,date,exporter_country,importer_country,hs_code,description,quantity,unit,"
          "notified_to_committee,remarks\n")


def write_file(path, rows=3000, seed=11):
    rng = random.Random(seed)
    goods = [("2603", "copper"), ("2710.19", "diesel"), ("1101", "flour"),
             ("2709", "crude oil"), ("", "zinc concentrate"), ("26O3", "bad"), ("7108", "gold")]
    with path.open("w", encoding="utf-8") as handle:
        handle.write(HEADER)
        for i in range(rows):
            hs, desc = rng.choice(goods)
            exp, imp = rng.choice([("KP", "CN"), ("CN", "KP"), ("CN", "VN"), ("RU", "KP")])
            day = f"{rng.randint(2017, 2020)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            rid = f"D{i}" if rng.random() > 0.02 else f"D{rng.randint(0, 50)}"
            handle.write(f"{rid},{day},{exp},{imp},{hs},{desc},{rng.randint(1, 40000)},t,"
                         f"{rng.choice(['true', 'false'])},note {i}\n")
    return path


@pytest.fixture(scope="module")
def client():
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=40)
    with Client(cluster) as client:
        yield client
    cluster.close()


def _results(report):
    return [json.loads(r.model_dump_json()) for r in report.results]


def test_dask_glob_matches_single_process(client, tmp_path):
    path = write_file(tmp_path / "part.csv")
    import dask.dataframe as dd
    frame = dd.read_csv(str(path), dtype=str, keep_default_na=False, blocksize=40_000)
    assert frame.npartitions > 2
    distributed = screen_dask(frame, client=client, ledger=Ledger(tmp_path / "l1.sqlite"))
    single = Screener.default().screen(path, ledger=Ledger(tmp_path / "l2.sqlite"))
    assert _results(distributed) == _results(single)
    assert distributed.summary == single.summary
    assert distributed.ledger.recorded == single.ledger.recorded > 0
    capped = [f for r in distributed.results for f in r.findings if f.cap]
    assert capped and any(f.cap.exceeded for f in capped)
    assert any("already used by row" in e.message for r in distributed.results
               for e in r.errors)


def test_dask_reads_a_glob_of_files(client, tmp_path):
    write_file(tmp_path / "a.csv", rows=400, seed=1)
    report = screen_dask(str(tmp_path / "*.csv"), client=client)
    assert report.summary.rows == 400
    assert [r.row for r in report.results] == list(range(1, 401))
