"""Layer 2: the formats at the edges (SGF records, GTP); uses only igo.go below it."""
