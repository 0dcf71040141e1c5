"""Layer 10: benchmarks shipped with the package (``igo bench ...``), timed runs as JSON dicts."""
