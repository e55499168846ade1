"""Peak memory of reading a CSV file: the whole file as bytes (how imports read it before)
against streaming it from its path (how ``leaddesk import`` reads it).

    python benchmarks/csv_memory.py [--rows N]

Writes a CSV of N leads, then measures the peak traced Python memory (tracemalloc) of
``read_table`` three ways: from bytes (file read into memory first), from the path, and from
the path with ``limit=200`` (the import dialog's preview). Prints each peak as a multiple of
the file size.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from leaddesk.data_io.csv_text import CsvTable, read_table

ROW = (
    "Lead number {index},Company {index} Ltd,contact{index}@company.example,"
    "+1 555 0100,LEAD,John Smith,,\r\n"
)


def measure(read: Callable[[], CsvTable]) -> tuple[int, float, int]:
    tracemalloc.start()
    started = time.perf_counter()
    table = read()
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, seconds, len(table.rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "leads.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            handle.write("name,company,email,phone,status,owner,office,pass_group\r\n")
            for index in range(args.rows):
                handle.write(ROW.format(index=index))
        size = path.stat().st_size
        print(f"file: {args.rows:,} rows, {size / 2**20:.1f} MB")
        ways = {
            "bytes in memory": lambda: read_table(path.read_bytes()),
            "path, streamed": lambda: read_table(path),
            "path, preview 200": lambda: read_table(path, limit=200),
        }
        ratios = {}
        for name, read in ways.items():
            peak, seconds, rows = measure(read)
            ratios[name] = peak / size
            print(
                f"{name:<18} peak {peak / 2**20:8.1f} MB = {peak / size:5.2f} x file, "
                f"{seconds:5.2f} s, {rows:,} rows"
            )
        print(
            f"peak_vs_file_bytes={ratios['bytes in memory']:.2f} "
            f"peak_vs_file_streamed={ratios['path, streamed']:.2f} "
            f"peak_vs_file_preview={ratios['path, preview 200']:.3f}"
        )


if __name__ == "__main__":
    main()
