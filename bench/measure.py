"""Server-side measurements: CPU seconds and peak RSS of the server processes, percentiles."""

from __future__ import annotations

import threading

import psutil


def percentile(values: list[float], p: float) -> float | None:
    """The p-th percentile (nearest rank) of values, or None if there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[rank]


class Sampler:
    """Samples the process trees of the server pids: CPU time used and the largest RSS of one process."""

    def __init__(self, pids_of, interval: float = 0.2) -> None:
        self.pids_of = pids_of  # a callable: the current top-level server pids (they change on restart)
        self.interval = interval
        self.cpu_last: dict[int, float] = {}
        self.cpu_first: dict[int, float] = {}
        self.peak_rss: dict[int, int] = {}
        self.peak_threads = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _processes(self) -> list[psutil.Process]:
        found = []
        for pid in self.pids_of():
            try:
                top = psutil.Process(pid)
                found.append(top)
                found.extend(top.children(recursive=True))
            except psutil.NoSuchProcess:
                pass
        return found

    def sample(self) -> None:
        threads = 0
        for process in self._processes():
            try:
                with process.oneshot():
                    cpu = process.cpu_times()
                    used = cpu.user + cpu.system
                    rss = process.memory_info().rss
                    threads += process.num_threads()
            except psutil.NoSuchProcess:
                continue
            self.cpu_first.setdefault(process.pid, used)
            self.cpu_last[process.pid] = used
            self.peak_rss[process.pid] = max(self.peak_rss.get(process.pid, 0), rss)
        self.peak_threads = max(self.peak_threads, threads)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def start(self) -> Sampler:
        self.sample()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sample()

    @property
    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server processes used while sampled."""
        return sum(self.cpu_last[pid] - self.cpu_first[pid] for pid in self.cpu_last)

    @property
    def peak_rss_mb(self) -> float:
        """The largest RSS any one server process reached, in MB."""
        return max(self.peak_rss.values(), default=0) / 1e6


def system_cpu_seconds(names: tuple[str, ...] = ("postgres", "redis-server")) -> float:
    """CPU time used so far by the processes with these names (PostgreSQL, Redis)."""
    total = 0.0
    for process in psutil.process_iter(["name", "cpu_times"]):
        if process.info["name"] in names and process.info["cpu_times"] is not None:
            total += process.info["cpu_times"].user + process.info["cpu_times"].system
    return total
