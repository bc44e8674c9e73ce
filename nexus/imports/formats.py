"""Reading import files: CSV or NDJSON, one row per variant, streamed line by line.

Both readers turn a binary stream into ``RawRow``s of the same shape (typed values
keyed by the column names of docs/api.md, "Bulk import") or ``RowError``s naming
the line. Nothing here touches the database: the rows are checked against the
catalog by ``nexus.imports.validation``.
"""

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Literal

import orjson

from nexus.imports.errors import ImportFileInvalid

Format = Literal["csv", "ndjson"]
FORMATS: tuple[Format, ...] = ("csv", "ndjson")

REQUIRED = ("product_slug", "product_name", "category", "product_type", "sku", "price")
TEXT = (
    "product_slug",
    "product_name",
    "description",
    "category",
    "brand",
    "product_type",
    "sku",
    "variant_name",
    "price",
    "compare_at_price",
)
COLUMNS = (*TEXT, "published", "weight_grams", "attributes", "stock")
ATTRIBUTE_PREFIX, STOCK_PREFIX = "attribute:", "stock:"


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str


@dataclass
class RawRow:
    """One variant's row with values of the right Python type, not yet checked
    against the catalog. Text that was left empty is ``""``, an absent optional
    value ``None``."""

    line: int
    values: dict[str, Any]
    attributes: dict[str, str] = field(default_factory=dict)
    stock: dict[str, int] = field(default_factory=dict)


@dataclass
class ReadProgress:
    """Bytes consumed so far, for progress bars over a file of known size."""

    bytes_read: int = 0


def infer_format(filename: str) -> Format | None:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return {"csv": "csv", "ndjson": "ndjson", "jsonl": "ndjson"}.get(suffix)  # type: ignore[return-value]


def read_rows(
    stream: IO[bytes],
    *,
    file_format: Format,
    default_warehouse: str | None = None,
    progress: ReadProgress | None = None,
) -> Iterator[RawRow | RowError]:
    """The file's rows, one at a time; raises ImportFileInvalid before the first
    row when the file cannot be read at all (CSV header)."""
    lines = _counted(stream, progress or ReadProgress())
    if file_format == "csv":
        return _csv_rows(lines, default_warehouse)
    return _ndjson_rows(lines, default_warehouse)


def _counted(stream: IO[bytes], progress: ReadProgress) -> Iterator[bytes]:
    for line in stream:
        progress.bytes_read += len(line)
        yield line


# --- CSV -----------------------------------------------------------------------------


def _csv_rows(lines: Iterator[bytes], default_warehouse: str | None) -> Iterator[RawRow | RowError]:
    bad_lines: set[int] = set()

    def decoded() -> Iterator[str]:
        for number, raw in enumerate(lines, start=1):
            try:
                yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                bad_lines.add(number)
                yield raw.decode("utf-8", errors="replace")

    reader = csv.reader(decoded(), strict=True)
    header = _csv_header(next(reader, None), default_warehouse)
    yield from _csv_records(reader, header, bad_lines, default_warehouse)


def _csv_records(
    reader: Any, header: list[str], bad_lines: set[int], default_warehouse: str | None
) -> Iterator[RawRow | RowError]:
    first_line = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield RowError(first_line, f"Not valid CSV: {exc}.")
            first_line = reader.line_num + 1
            continue
        line, first_line = first_line, reader.line_num + 1
        if not cells or cells == [""] * len(cells):
            continue  # a blank line, such as a trailing one
        if bad_lines & set(range(line, first_line)):
            yield RowError(line, "Not valid UTF-8.")
        elif len(cells) != len(header):
            yield RowError(line, f"Expected {len(header)} cells, found {len(cells)}.")
        else:
            yield _csv_row(line, dict(zip(header, cells, strict=True)), default_warehouse)


def _csv_header(cells: list[str] | None, default_warehouse: str | None) -> list[str]:
    if not cells:
        raise ImportFileInvalid("The file is empty: the first line must name the columns.")
    header = [cell.strip() for cell in cells]
    for name in header:
        if name == "attributes" or (
            name not in COLUMNS
            and not (name.startswith((ATTRIBUTE_PREFIX, STOCK_PREFIX)) and name.split(":", 1)[1])
        ):
            raise ImportFileInvalid(f"Unknown column {name!r}.")
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ImportFileInvalid("Missing columns: " + ", ".join(missing) + ".")
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise ImportFileInvalid("Repeated columns: " + ", ".join(repeated) + ".")
    if "stock" in header and not default_warehouse:
        raise ImportFileInvalid("The 'stock' column needs a warehouse (--warehouse).")
    return header


_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no", ""}


def _csv_row(line: int, cells: dict[str, str], default_warehouse: str | None) -> RawRow | RowError:
    row = RawRow(line=line, values={name: cells.get(name, "") for name in TEXT})
    published = cells.get("published", "").strip().lower()
    if published not in _TRUE | _FALSE:
        return RowError(line, "published: Must be true or false.")
    row.values["published"] = published in _TRUE
    weight = cells.get("weight_grams", "").strip()
    try:
        row.values["weight_grams"] = int(weight) if weight else None
    except ValueError:
        return RowError(line, "weight_grams: Must be a whole number.")
    for name, cell in cells.items():
        if name.startswith(ATTRIBUTE_PREFIX) and cell.strip():
            row.attributes[name.removeprefix(ATTRIBUTE_PREFIX)] = cell.strip()
        elif (name == "stock" or name.startswith(STOCK_PREFIX)) and cell.strip():
            warehouse = default_warehouse if name == "stock" else name.removeprefix(STOCK_PREFIX)
            try:
                row.stock[str(warehouse)] = int(cell)
            except ValueError:
                return RowError(line, f"{name}: Must be a whole number.")
    return row


# --- NDJSON --------------------------------------------------------------------------


def _ndjson_rows(
    lines: Iterable[bytes], default_warehouse: str | None
) -> Iterator[RawRow | RowError]:
    for line, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            document = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            yield RowError(line, f"Not valid JSON: {exc}.")
            continue
        yield _ndjson_row(line, document, default_warehouse)


class _Refused(Exception):
    """A row's value of the wrong JSON type; the message is the reason."""


def _ndjson_row(line: int, document: Any, default_warehouse: str | None) -> RawRow | RowError:
    try:
        return _ndjson_fields(line, document, default_warehouse)
    except _Refused as exc:
        return RowError(line, str(exc))


def _ndjson_fields(line: int, document: Any, default_warehouse: str | None) -> RawRow:
    if not isinstance(document, dict):
        raise _Refused("Each line must be a JSON object.")
    unknown = sorted(set(document) - set(COLUMNS))
    if unknown:
        raise _Refused("Unknown fields: " + ", ".join(unknown) + ".")
    missing = [name for name in REQUIRED if document.get(name) is None]
    if missing:
        raise _Refused("Missing fields: " + ", ".join(missing) + ".")
    row = RawRow(line=line, values={})
    for name in TEXT:
        value = document.get(name)
        if value is not None and not isinstance(value, str):
            hint = ' (a decimal string, e.g. "19.99")' if "price" in name else ""
            raise _Refused(f"{name}: Must be a string{hint}.")
        row.values[name] = value or ""
    published = document.get("published", False)
    if not isinstance(published, bool):
        raise _Refused("published: Must be true or false.")
    row.values["published"] = published
    weight = document.get("weight_grams")
    if weight is not None and not _is_int(weight):
        raise _Refused("weight_grams: Must be a whole number.")
    row.values["weight_grams"] = weight
    attributes = document.get("attributes") or {}
    if not isinstance(attributes, dict) or not all(
        isinstance(value, str) for value in attributes.values()
    ):
        raise _Refused("attributes: Must map attribute slugs to value slugs.")
    row.attributes = {name: value for name, value in attributes.items() if value}
    row.stock = _ndjson_stock(document.get("stock"), default_warehouse)
    return row


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)  # JSON true is no number


def _ndjson_stock(stock: Any, default_warehouse: str | None) -> dict[str, int]:
    if _is_int(stock):
        if not default_warehouse:
            raise _Refused("stock: A bare number needs a warehouse (--warehouse).")
        return {default_warehouse: stock}
    stock = stock or {}
    if not isinstance(stock, dict) or not all(_is_int(units) for units in stock.values()):
        raise _Refused("stock: Must map warehouse slugs to whole numbers.")
    return stock
