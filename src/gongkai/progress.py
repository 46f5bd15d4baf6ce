"""Progress of long runs: a bar with total and ETA on a terminal (tqdm), otherwise a log
line every few seconds (files done of total, rate, ETA) so CI logs and cron mails show it."""

from __future__ import annotations

import sys
import time


class Progress:
    """Call with each finished item (anything with ``.ok``); ``set_total`` once it is known."""

    def __init__(self, verb: str, *, stream=None, interval: float = 5.0, tty: bool | None = None) -> None:
        self.verb, self.stream, self.interval = verb, stream or sys.stderr, interval
        self.tty = self.stream.isatty() if tty is None else tty
        self.total: int | None = None
        self.done_count = self.failed = 0
        self.started = self.last_line = time.monotonic()
        self.bar = None

    def set_total(self, total: int) -> None:
        self.total = total
        if self.tty and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="file", desc=self.verb, file=self.stream, dynamic_ncols=True)

    def __call__(self, outcome) -> None:
        self.done_count += 1
        self.failed += 0 if getattr(outcome, "ok", True) else 1
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix(failed=self.failed, refresh=False)
            return
        now = time.monotonic()
        if not self.tty and now - self.last_line >= self.interval:
            self.last_line = now
            print(self.line(now), file=self.stream, flush=True)

    def line(self, now: float | None = None) -> str:
        elapsed = max((now or time.monotonic()) - self.started, 1e-9)
        rate = self.done_count / elapsed
        text = f"gongkai: {self.verb} {self.done_count}"
        if self.total:
            left = (self.total - self.done_count) / rate if rate else float("inf")
            eta = f"{int(left // 60)}m{int(left % 60):02d}s" if left != float("inf") else "?"
            text += f"/{self.total} files ({self.done_count / self.total:.0%}), ETA {eta}"
        else:
            text += " files"
        return text + f", {rate:.1f} files/s, {self.failed} failed"

    def done(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif not self.tty and self.done_count:
            print(self.line(), file=self.stream, flush=True)
