"""Benchmarks for sitejobs: baselines (Celery) and load-generation building blocks.

Nothing here is imported by the `sitejobs` package; run the modules with `python -m bench.<name>`.
"""
