"""Deterministic synthetic data with ground truth, for tests, benchmarks and demos.

- ``hub.synth.matters`` (linking): multi-agency matters with the true matter of every event,
  ``generate_matters(n_matters, seed) -> SynthMatters(events, truth, kinds)``;
- ``hub.synth.alerts`` and ``hub.synth.demo`` (rules and the demo sample) live beside it.

Everything here is seeded (``random.Random``): the same arguments always give the same events.
"""
