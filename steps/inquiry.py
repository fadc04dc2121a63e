"""Steps of the inquiry area."""
