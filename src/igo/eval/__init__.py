"""Layer 7: evaluation: games and matches between engines, ratings."""
