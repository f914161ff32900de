"""The hub's test suite; ``tests.builders`` holds the shared test data builders."""
