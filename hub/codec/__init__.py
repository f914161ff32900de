"""Avro <-> domain: the schema registry of schemas/ (``registry``), single-object encoding and
decoding with schema resolution and upcasters (``avro``, ``upcasters``), compatibility rules
(``compat``) and Ed25519 message signing (``signing``). The golden payloads every reader is
tested against are written by ``tests.builders.golden``.

Nothing is imported here so ``import hub.codec.signing`` does not load fastavro, and no
schema file is read until a codec is first used.
"""
