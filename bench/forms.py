"""What a form costs beside the API write it runs, in one run.

Run by hand (not in CI), from the repository root::

    .venv/bin/python bench/forms.py              # 200 registrations each way, SQLite
    .venv/bin/python bench/forms.py --count 20   # smoke run

The same app (real lifespan, a fresh SQLite file) takes registrations in lock-step: one through
``POST /staff`` (JSON, bearer key, an ``Idempotency-Key`` as the form has one), one through the
registration form (``POST /ui/staff/new``: session cookie, CSRF, the schema read off the API,
dd/mm/yyyy dates, then the same route function), alternating, so a busy neighbour slows both
alike. Printed: the median and 90th percentile per write of each side and the ratio form / API;
then the same for keeping a scan (``POST /scans``, a 1 MB PNG) beside the API registration.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

# The tests' fixtures, in place of this folder: bench/http.py would shadow the standard library's.
sys.path.pop(0)
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from api_fixtures import person, running_api
from fastapi.testclient import TestClient

from ledger.store.config import StoreConfig

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p90 = ordered[int(len(ordered) * 0.9) - 1]
    return f"median {statistics.median(ordered) * 1000:6.2f} ms, p90 {p90 * 1000:6.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    with running_api(StoreConfig(f"sqlite:///{folder / 'ledger.db'}")) as api:
        browser = TestClient(api.app, follow_redirects=False)
        token = re.search(r'name="form_token" value="([^"]+)"', browser.get("/ui/login").text)
        assert token is not None
        browser.post("/ui/login", data={"token": api.tokens["registrar"], "form_token": token.group(1)})
        csrf = re.search(r'name="csrf" value="([^"]+)"', browser.get("/ui/staff/new").text)
        assert csrf is not None
        api_times: list[float] = []
        form_times: list[float] = []
        scan_times: list[float] = []
        for i in range(args.count):
            started = time.perf_counter()
            # Like the form, the API write carries an idempotency key (two more short transactions).
            assert api.post("/staff", person(f"A{i}"), Idempotency_Key=f"a{i}").status_code == 201
            api_times.append(time.perf_counter() - started)
            form = {
                "csrf": csrf.group(1),
                "idempotency_key": f"k{i}",
                "staff_id": f"F{i}",
                "full_name": "Nguyễn Thị Hường",
                "gender": "female",
                "birth_date": "12/04/1985",
                "unit": "Phòng Tổ chức cán bộ",
                "joined_on": "01/09/2010",
            }
            started = time.perf_counter()
            assert browser.post("/ui/staff/new", data=form).status_code == 303
            form_times.append(time.perf_counter() - started)
            scan = PNG + i.to_bytes(4, "big") + b"\0" * (1024 * 1024)
            started = time.perf_counter()
            response = api.client.post(
                "/scans", content=scan, headers={**api.headers(), "Content-Type": "image/png"}
            )
            assert response.status_code == 201
            scan_times.append(time.perf_counter() - started)
    ratio = statistics.median(form_times) / statistics.median(api_times)
    scan_ratio = statistics.median(scan_times) / statistics.median(api_times)
    print(f"registrations, SQLite, {args.count} each way, lock-step")
    print(f"  API  POST /staff        {summary(api_times)}")
    print(f"  form POST /ui/staff/new {summary(form_times)}   ratio form/API {ratio:.2f}")
    print(f"  scan POST /scans (1 MB) {summary(scan_times)}   ratio scan/API write {scan_ratio:.2f}")


if __name__ == "__main__":
    main()
