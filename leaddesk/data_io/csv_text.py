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
import io
import itertools
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from leaddesk.errors import InvalidInputError
from leaddesk.text_safety import clean_multiline, one_line

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


CsvSource = bytes | Path
# Bigger files are refused with a sentence; a lead import of a million rows is ~150 MB.
MAX_CSV_BYTES = 256 * 1024 * 1024


class UnreadableFile(Exception):
    """The whole file cannot be a CSV text file; the message is a sentence without the name."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


def refuse_unreadable(path: Path) -> None:
    """One sentence for a file that cannot be imported at all (too big, a workbook, binary),
    as an InvalidInputError naming the file; reads it once, holding one line at a time."""
    try:
        if path.stat().st_size == 0:
            raise UnreadableFile("is empty")
        _shape(path)
    except UnreadableFile as exc:
        raise InvalidInputError(f"{path.name} {exc}; nothing was imported.") from None


def read_table(source: CsvSource, *, limit: int | None = None) -> CsvTable:
    """Decode and split a CSV file; encoding problems come back as line-numbered problems.

    A path is read as a stream (twice: once to settle the encoding, once to split), so
    memory holds the rows, not copies of the whole file.
    """
    try:
        encoding, problems = _shape(source)
    except UnreadableFile as exc:
        return CsvTable([], [], "binary", ",", [Problem(exc.line, f"{exc}.")])
    with _open(source) as handle:
        lines = _decoded_lines(handle, encoding)
        first = next(lines, None)
        if first is None:
            return CsvTable([], [], encoding, ",", [*problems, Problem(1, "the file is empty.")])
        delimiter = _delimiter_of(first)
        reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter, strict=False)
        headers: list[str] = []
        rows: list[tuple[int, list[str]]] = []
        start = 1
        try:
            for raw_cells in reader:
                # Every LeadDesk column is one line of text: no breaks, no control codes.
                cells = (
                    raw_cells
                    if all(map(str.isprintable, raw_cells))
                    else [one_line(cell) for cell in raw_cells]
                )
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
        except UnicodeDecodeError:
            problems.append(Problem(start, "is not valid UTF-16 text."))
    if not any(headers):
        return CsvTable([], [], encoding, delimiter, [*problems, Problem(1, "the file is empty.")])
    return CsvTable(headers, rows, encoding, delimiter, problems)


def decode_lines(data: bytes) -> tuple[list[str], str, list[Problem]]:
    """Split into decoded lines (line endings kept), the encoding's name, and problems."""
    try:
        encoding, problems = _shape(data)
    except UnreadableFile as exc:
        return [], "binary", [Problem(exc.line, f"{exc}.")]
    with _open(data) as handle:
        return list(_decoded_lines(handle, encoding)), encoding, problems


def _open(source: CsvSource) -> BinaryIO:
    return io.BytesIO(source) if isinstance(source, bytes) else Path(source).open("rb")


def _shape(source: CsvSource) -> tuple[str, list[Problem]]:
    """The encoding, and the lines that do not decode in it; raises UnreadableFile for a file
    that is too big, a workbook, or binary (NUL characters)."""
    size = len(source) if isinstance(source, bytes) else Path(source).stat().st_size
    if size > MAX_CSV_BYTES:
        raise UnreadableFile(
            f"is {size / 2**20:,.0f} MB; LeadDesk reads CSV files up to "
            f"{MAX_CSV_BYTES // 2**20} MB, so split it into smaller files",
            1,
        )
    with _open(source) as handle:
        start = handle.read(4)
        handle.seek(0)
        if start.startswith(b"PK\x03\x04"):
            raise UnreadableFile("is an Excel workbook (.xlsx), not CSV; save it as CSV first", 1)
        if start.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = io.TextIOWrapper(handle, encoding="utf-16", newline="")
            try:
                for number, line in enumerate(text, start=1):
                    if "\x00" in line:
                        raise _nul(number)
            except UnicodeDecodeError:
                raise UnreadableFile("is not valid UTF-16 text", 1) from None
            finally:
                text.detach()
            return "UTF-16", []
        has_bom = start.startswith(UTF8_BOM)
        bad: list[int] = []
        not_cp1252: list[Problem] = []
        real_utf8 = False
        for number, raw in enumerate(handle, start=1):
            if b"\x00" in raw:
                raise _nul(number)
            try:
                text = raw.decode("utf-8")
                real_utf8 = real_utf8 or not text.isascii()
            except UnicodeDecodeError:
                bad.append(number)
                try:
                    raw.decode("cp1252")
                except UnicodeDecodeError as exc:
                    byte = raw[exc.start]
                    not_cp1252.append(
                        Problem(
                            number, f"byte 0x{byte:02X} is neither UTF-8 nor Windows-1252 text."
                        )
                    )
    name = "UTF-8 with BOM" if has_bom else "UTF-8"
    if not bad:
        return name, []
    # Multi-byte UTF-8 elsewhere means the odd lines are damage, not another code page.
    if has_bom or real_utf8:
        return "UTF-8", [
            Problem(n, "is not valid UTF-8 text (the rest of the file is UTF-8).") for n in bad
        ]
    return "Windows-1252", not_cp1252


def _nul(line: int) -> UnreadableFile:
    return UnreadableFile(f"contains NUL characters (line {line}); it is not a CSV text file", line)


def _decoded_lines(handle: BinaryIO, encoding: str) -> Iterator[str]:
    """The file's lines, decoded; a line that does not decode becomes an empty line (its
    problem was reported by ``_shape``)."""
    if encoding == "UTF-16":
        yield from io.TextIOWrapper(handle, encoding="utf-16", newline="")
        return
    first = True
    for raw in handle:
        if first and raw.startswith(UTF8_BOM):
            raw = raw[len(UTF8_BOM) :]
        first = False
        if encoding == "Windows-1252":
            try:
                yield raw.decode("cp1252")
            except UnicodeDecodeError:
                yield "\n"
            continue
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            yield "\n"


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
    # No NUL or other control codes from old data: an export must always import again.
    text = clean_multiline("" if value is None else str(value))
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
