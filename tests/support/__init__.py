"""What tests and benchmarks share and the product never ships: the real-process harness, scratch
PostgreSQL databases, the benchmark's no-op task and the test relations."""
