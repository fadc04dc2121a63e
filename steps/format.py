"""Steps of the format area."""
