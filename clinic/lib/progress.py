"""A plain progress bar for long management commands, written to stderr."""

import sys
import time


class Progress:
    """Show `label: [####------] 40,000/100,000 (12s)`.

    On a terminal the line is redrawn in place; elsewhere (CI logs, pipes) a line is printed
    at every tenth of the way, so logs stay short.
    """

    width = 30

    def __init__(self, total, label, stream=None):
        self.total = max(total, 0)
        self.label = label
        self.done = 0
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.interactive = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._last_tenth = -1

    def advance(self, count=1):
        self.done = min(self.done + count, self.total)
        if self.interactive:
            self._draw(end="\r")
        else:
            tenth = self.done * 10 // self.total if self.total else 10
            if tenth != self._last_tenth:
                self._last_tenth = tenth
                self._draw(end="\n")

    def finish(self):
        if self.interactive:
            self._draw(end="\n")

    def _draw(self, end):
        filled = self.width * self.done // self.total if self.total else self.width
        bar = "#" * filled + "-" * (self.width - filled)
        elapsed = time.monotonic() - self.started
        self.stream.write(f"{self.label}: [{bar}] {self.done:,}/{self.total:,} ({elapsed:.0f}s){end}")
        self.stream.flush()
