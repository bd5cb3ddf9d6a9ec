"""The ground floor: plumbing that several apps need and that knows nothing of them.

PDF rendering (``pdf``), uploads and private storage (``uploads``), dates (``dates``),
file and PDF responses (``http``) and spreadsheet exports (``export``). Nothing in here
imports an app of the project (the import-linter contract in ``pyproject.toml`` keeps it
so); the apps build on it, as healthchecks builds on ``hc/lib``.
"""
