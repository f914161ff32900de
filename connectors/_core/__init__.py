"""Connector core: interface, signer, outbox, publisher, runner."""
