"""Steps of the notices area."""
