"""Pure domain: model, matching, linking, rules, alerts, the case view as a fold.

Only the standard library, pydantic and pure computational libraries (rapidfuzz, pypinyin)
may be imported here; import-linter enforces it (see pyproject.toml).
"""
