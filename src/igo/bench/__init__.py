"""Benchmarks shipped with the package (``igo bench ...``): timed runs returning JSON-able dicts."""
