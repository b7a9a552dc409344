"""Load and latency benchmarks of the live path (run with `make bench`; never a timed test)."""
