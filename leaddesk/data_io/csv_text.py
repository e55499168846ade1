"""Reading the CSV files people actually have, and writing ones spreadsheets open cleanly.

Reading: UTF-8 with or without a byte-order mark, UTF-16 with a BOM ("Unicode text"), and
the Windows-1252 that Excel writes by default are recognised; a line that fits none is a
problem reported with its line number. The delimiter (comma, semicolon as in European
Excel, or tab) is taken from the header line.

Writing: UTF-8 with BOM (so Excel does not guess the ANSI code page), minimal quoting and
CRLF line endings, which both Excel and LibreOffice open without an import wizard.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from leaddesk.errors import InvalidInputError

UTF8_BOM = b"\xef\xbb\xbf"
DELIMITERS = (",", ";", "\t")

# Cells that a spreadsheet would run as a formula get a leading apostrophe on export and
# lose it again on import, so exported names such as "=SUM(A1)" stay plain text both ways.
_FORMULA_START = ("=", "@", "\t", "\r")
_SIGNED_NUMBER = re.compile(r"^[+-][\d\s().\-/]*$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, at a physical line number (the header is line 1)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class CsvTable:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (line number where the record starts, cells)
    encoding: str
    delimiter: str
    problems: list[Problem] = field(default_factory=list)


def read_table(data: bytes, *, limit: int | None = None) -> CsvTable:
    """Decode and split a CSV file; encoding problems come back as line-numbered problems."""
    lines, encoding, problems = decode_lines(data)
    if not lines or not any(line.strip() for line in lines):
        # A file that could not be decoded already has its one problem; "empty" would
        # contradict it.
        empty = [] if problems else [Problem(1, "the file is empty.")]
        return CsvTable([], [], encoding, ",", [*problems, *empty])
    delimiter = _delimiter_of(lines[0])
    reader = csv.reader(lines, delimiter=delimiter, strict=False)
    headers: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            if not headers:
                headers = [cell.strip().lstrip("\ufeff") for cell in cells]
            else:
                joined = "".join(cells)
                if joined.strip():
                    if "'" in joined:
                        cells = [c if c[:1] != "'" else unescape_cell(c) for c in cells]
                    rows.append((start, cells))
                    if limit is not None and len(rows) >= limit:
                        break
            start = reader.line_num + 1
    except csv.Error as exc:
        problems.append(Problem(start, f"cannot be read as CSV ({exc})."))
    return CsvTable(headers, rows, encoding, delimiter, problems)


def decode_lines(data: bytes) -> tuple[list[str], str, list[Problem]]:
    """Split into decoded lines (line endings kept), the encoding's name, and problems."""
    if data.startswith(b"PK\x03\x04"):
        return (
            [],
            "binary",
            [Problem(1, "this is an Excel workbook (.xlsx), not CSV; save it as CSV first.")],
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return [], "UTF-16", [Problem(1, "the file is not valid UTF-16 text.")]
        return text.splitlines(keepends=True), "UTF-16", []
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        return [], "binary", [Problem(line, "contains NUL bytes; this is not a CSV text file.")]
    has_bom = data.startswith(UTF8_BOM)
    try:
        # The common case in one call; the line-by-line path below only runs for files
        # that are not clean UTF-8, to find the guilty lines.
        text = data[len(UTF8_BOM) :].decode("utf-8") if has_bom else data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return text.splitlines(keepends=True), ("UTF-8 with BOM" if has_bom else "UTF-8"), []
    raw_lines = (data[len(UTF8_BOM) :] if has_bom else data).split(b"\n")
    if raw_lines and raw_lines[-1] == b"":
        raw_lines.pop()
    raw_lines = [line + b"\n" for line in raw_lines]
    utf8: list[str | None] = []
    for raw in raw_lines:
        try:
            utf8.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            utf8.append(None)
    bad = [index for index, text in enumerate(utf8) if text is None]
    if not bad:
        return (
            [text for text in utf8 if text is not None],
            ("UTF-8 with BOM" if has_bom else "UTF-8"),
            [],
        )
    real_utf8 = any(
        text is not None and not text.isascii() for text in utf8
    )  # multi-byte UTF-8 elsewhere means the odd lines are damage, not another code page
    if has_bom or real_utf8:
        problems = [
            Problem(index + 1, "is not valid UTF-8 text (the rest of the file is UTF-8).")
            for index in bad
        ]
        return [text or "\n" for text in utf8], "UTF-8", problems
    lines: list[str] = []
    problems = []
    for index, raw in enumerate(raw_lines):
        try:
            lines.append(raw.decode("cp1252"))
        except UnicodeDecodeError as exc:
            byte = raw[exc.start]
            problems.append(
                Problem(index + 1, f"byte 0x{byte:02X} is neither UTF-8 nor Windows-1252 text.")
            )
            lines.append("\n")
    return lines, "Windows-1252", problems


def _delimiter_of(header: str) -> str:
    counts = {delimiter: header.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def normalise_header(header: str) -> str:
    """'Pass Group', 'pass-group' and ' PASS_GROUP ' all become 'pass_group'."""
    return re.sub(r"[\s\-]+", "_", header.strip().lower())


def _looks_like_formula(text: str) -> bool:
    # Leading apostrophes are looked through, so a value that itself starts with "'="
    # gets its own apostrophe and survives the round trip too.
    text = text.lstrip("'")
    return text.startswith(_FORMULA_START) or (
        text.startswith(("+", "-")) and not _SIGNED_NUMBER.match(text)
    )


def escape_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if _looks_like_formula(text) else text


def unescape_cell(text: str) -> str:
    if text.startswith("'") and _looks_like_formula(text[1:]):
        return text[1:]
    return text


def write_csv(path: str | Path, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write atomically (a half-written export never replaces a good one); returns row count.

    A folder that does not exist, or a file the system refuses, is one clear sentence.
    """
    target = Path(path)
    try:
        return _write_csv(target, headers, rows)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InvalidInputError(f"Cannot export to {target}: {reason}.") from exc


def _write_csv(target: Path, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    if not target.parent.is_dir():
        raise InvalidInputError(
            f"Cannot export to {target}: the folder {target.parent} does not exist."
        )
    if target.is_dir():
        raise InvalidInputError(f"Cannot export to {target}: it is a folder; add a file name.")
    partial = target.with_name(target.name + ".part")
    count = 0
    try:
        with partial.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
            writer.writerow(headers)
            for row in rows:
                writer.writerow([escape_cell(value) for value in row])
                count += 1
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return count
