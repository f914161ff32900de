"""IP enforcement exchange hub."""
