"""Stage 3: a Report and the rules (TOML data shipped here) → totals, rating, score issues."""
