"""Layer 5: datasets: training shards, SGF collections, self-play replay."""
