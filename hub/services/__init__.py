"""Application services: what a worker or a command runs, in plain Python.

Intake (decode, verify, validate, archive, receipt), the matter fold (domain state, read-model
projection, announcements), batch, reports and signing keys. No Faust, no SQL, no HTTP: a
service reaches the store through the ports in ``hub.services.ports``, and ``hub.bootstrap``
hands it the real adapters (tests hand it the same, or a fake).
"""
