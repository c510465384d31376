"""Stage 2: tables → the Report model, and the issues the contract finds in it."""
