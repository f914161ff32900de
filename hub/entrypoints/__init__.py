"""Processes: `hub up` on one machine (broker, topics, supervised workers, API), the worker
process itself, the demo console and `hub batch --via-broker`. The CLI (``hub.cli``) calls these."""
