"""Layer 5: evaluation: games and matches between engines, ratings."""
