"""Builders for tests and benchmarks: deterministic events, scenarios and store content.

- ``events``: ``make_event``, ``make_party``, ``make_uscc``, ``make_id_no``, ``archive_rows``;
- ``scenarios_matters`` (linking): multi-agency matters with the true matter of every event,
  ``generate_matters(n_matters, seed) -> SynthMatters(events, truth, kinds)``;
- ``scenarios_alerts`` (rules): positive and negative cases for every alert type with the
  expected open alerts;
- ``store_changes``: hand-built read-model ``Changes`` for the store, API, UI and query bench;
- ``golden``: the golden-payload writer, ``python -m tests.builders.golden --write tests/golden/avro``.

Everything here is seeded (``random.Random``): the same arguments always give the same events.
None of it ships with the hub; the demo sample the hub does ship is ``hub.demo_sample``.
"""
