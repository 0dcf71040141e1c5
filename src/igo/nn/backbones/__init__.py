"""Network bodies, one module per family group; each registers its families and variants."""
