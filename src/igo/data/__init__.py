"""Layer 4: datasets: training shards, SGF collections, self-play replay."""
