"""Every CSV file Acuflow writes for people to open in a spreadsheet goes through `csv_write`."""

import csv


def csv_write(stream, rows, *, lineterminator="\r\n"):
    """Write `rows` (lists of cells; None is written as an empty cell) to `stream` as CSV, one line each.

    Files end their lines with CRLF (RFC 4180); commands that print CSV pass "\n", as they always have.
    """
    # One place for every export, so that a rule for all of them (neutralising cells that a
    # spreadsheet would run as formulas, say) is one change here.
    writer = csv.writer(stream, lineterminator=lineterminator)
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
