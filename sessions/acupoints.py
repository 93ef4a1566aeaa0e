"""The WHO standard acupoint catalogue, and turning what a practitioner types into codes."""

import csv
import re
from pathlib import Path

from django.core.exceptions import ValidationError

CATALOGUE_FILE = Path(__file__).resolve().parent / "data" / "acupoints.csv"

# Meridian code -> (English name, number of points), in the WHO standard's order: 361 points.
MERIDIANS = {
    "LU": ("Lung", 11),
    "LI": ("Large Intestine", 20),
    "ST": ("Stomach", 45),
    "SP": ("Spleen", 21),
    "HT": ("Heart", 9),
    "SI": ("Small Intestine", 19),
    "BL": ("Bladder", 67),
    "KI": ("Kidney", 27),
    "PC": ("Pericardium", 9),
    "TE": ("Triple Energizer", 23),
    "GB": ("Gallbladder", 44),
    "LR": ("Liver", 14),
    "GV": ("Governor Vessel", 28),
    "CV": ("Conception Vessel", 24),
}

# Older or regional spellings practitioners still type.
MERIDIAN_ALIASES = {"SJ": "TE", "LV": "LR", "DU": "GV", "REN": "CV"}

# A code with optional space, dot or hyphen between letters and number ("li 4", "LI-4"),
# or any other run of characters, which is then reported as unknown.
_TOKEN = re.compile(r"([A-Za-z]+)[\s.\-]*(\d+)\b|[^\s,;]+")


def normalise_point_code(token):
    """Return the standard code for one typed point (`li 4` -> `LI4`, `sj5` -> `TE5`), or None."""
    match = re.fullmatch(r"\s*([A-Za-z]+)[\s.\-]*(\d+)\s*", token)
    if not match:
        return None
    meridian = match.group(1).upper()
    meridian = MERIDIAN_ALIASES.get(meridian, meridian)
    number = int(match.group(2))
    if meridian not in MERIDIANS or not 1 <= number <= MERIDIANS[meridian][1]:
        return None
    return f"{meridian}{number}"


def parse_point_codes(text):
    """Return the standard codes in `text`, in the order typed, without repeats.

    Points may be separated by commas, semicolons or spaces; case, spacing and the aliases
    SJ/LV/DU/REN are accepted. Raise ValidationError naming every code that is not a WHO point.
    """
    codes, unknown = [], []
    for match in _TOKEN.finditer(text or ""):
        token = match.group(0)
        code = normalise_point_code(token)
        if code is None:
            unknown.append(token.strip())
        elif code not in codes:
            codes.append(code)
    if unknown:
        raise ValidationError(
            "Unknown acupoint code%(plural)s: %(codes)s.",
            code="unknown_acupoint",
            params={"plural": "s" if len(unknown) > 1 else "", "codes": ", ".join(unknown)},
        )
    return codes


def read_catalogue(path=CATALOGUE_FILE):
    """Yield the catalogue rows as dicts: code, pinyin, meridian, pregnancy_caution (bool), position."""
    with open(path, newline="", encoding="utf-8") as handle:
        for position, row in enumerate(csv.DictReader(handle), start=1):
            yield {
                "code": row["code"],
                "pinyin": row["pinyin"],
                "meridian": row["meridian"],
                "pregnancy_caution": row["pregnancy_caution"] == "1",
                "position": position,
            }
