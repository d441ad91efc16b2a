"""Side-by-side overhead benchmarks against the peers; run with ``python -m benchmarks``."""
