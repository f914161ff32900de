"""Engines under measurement, each run as its own process by a benchmark orchestrator.

Each engine consumes the same topic and writes its figures with common.write_engine_result.
quix_state.py runs in a separate virtualenv and therefore imports nothing from this project.
"""
