"""The app's own settings plus one minimal view, for benchmarks/load.py only (never deployed)."""

from clinic.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.load_urls"
