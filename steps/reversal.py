"""Steps of the reversal area."""
