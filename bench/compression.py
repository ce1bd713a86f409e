"""Bytes and CPU per compression algorithm and level, on the portal's own dynamic HTML.

Usage: .venv/bin/python bench/compression.py [--lang bn --lang ar ...] [--repeat 300]

Builds a throwaway demo instance (as bench/serve.py does), fetches the anonymous pages
uncompressed through the Flask test client (site page, survey start, a survey screen, the
report form, the receipt), then compresses each page's HTML with every algorithm Flask-Compress
offers (brotli, gzip, deflate, zstd) at a range of levels, ``--repeat`` times each, and prints
per algorithm and level: the median compressed size over the pages (bytes), the ratio to the
raw HTML, and the median microseconds of CPU to compress one page (``time.process_time``).
The choice in portal/config.py (COMPRESS_ALGORITHM, COMPRESS_BR_LEVEL, COMPRESS_LEVEL) is read
from this table: on pages of 4–10 KB, most of a page's wire weight is response headers and the
cached stylesheet, so a level that costs several times the CPU for a few bytes is a bad trade
on a server that is CPU-bound at a campaign's peak.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import statistics
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

LEVELS = {
    "br": [0, 1, 2, 3, 4, 5, 6, 9, 11],
    "gzip": [1, 3, 4, 6, 9],
    "deflate": [1, 6],
    "zstd": [1, 3, 6, 9, 19],
}


def compressor(algorithm: str, level: int):
    if algorithm == "br":
        import brotli

        return lambda data: brotli.compress(data, mode=brotli.MODE_TEXT, quality=level)
    if algorithm == "gzip":
        return lambda data: gzip.compress(data, compresslevel=level, mtime=0)
    if algorithm == "deflate":
        return lambda data: zlib.compress(data, level)
    from flask_compress.compat import compression  # the zstd Flask-Compress itself uses

    return lambda data: compression.zstd.compress(data, level)


def pages(lang: str) -> dict[str, bytes]:
    """The anonymous pages' HTML, uncompressed, in ``lang``."""
    import serve

    instance = Path(tempfile.mkdtemp(prefix="portal-compress-"))
    try:
        _env, targets = serve.prepare(instance, None)
        from portal import create_app

        app = create_app()
        app.config["RATELIMIT_ENABLED"] = False
        client = app.test_client()
        headers = {"Accept-Language": lang, "Accept-Encoding": "identity"}
        site = "/s/{code}".format(**targets)
        survey = f"{site}/survey/{targets['campaign']}"
        found = {
            "site page": client.get(site, headers=headers).get_data(),
            "survey start": client.get(survey, headers=headers).get_data(),
        }
        form = serve.form_of(found["survey start"].decode())
        first = client.post(survey, data=form, headers=headers).headers["Location"]
        found["survey screen"] = client.get(first, headers=headers).get_data()
        report = f"{site}/report?who=worker"
        found["report form"] = client.get(report, headers=headers).get_data()
        form = serve.form_of(found["report form"].decode(), answer=False) | serve.REPORT_FIELDS
        receipt = client.post(report, data=form, headers=headers).headers["Location"]
        found["receipt"] = client.get(receipt, headers=headers).get_data()
        return found
    finally:
        shutil.rmtree(instance, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lang", action="append", help="page language (repeatable; bn)")
    parser.add_argument("--repeat", type=int, default=300, help="compressions per measurement")
    args = parser.parse_args()
    html: list[bytes] = []
    for lang in args.lang or ["bn"]:
        html += pages(lang).values()
    raw = statistics.median(len(page) for page in html)
    print(f"{len(html)} pages, median {raw:,.0f} B uncompressed; {args.repeat} runs each\n")
    print(f"{'algorithm':<9} {'level':>5} {'median B':>9} {'× raw':>6} {'µs CPU':>8}")
    for algorithm, levels in LEVELS.items():
        for level in levels:
            compress = compressor(algorithm, level)
            sizes, cpu = [], []
            for page in html:
                started = time.process_time()
                for _ in range(args.repeat):
                    out = compress(page)
                cpu.append((time.process_time() - started) / args.repeat * 1e6)
                sizes.append(len(out))
            size = statistics.median(sizes)
            print(
                f"{algorithm:<9} {level:>5} {size:>9,.0f} {size / raw:>6.3f} "
                f"{statistics.median(cpu):>8.0f}"
            )


if __name__ == "__main__":
    main()
