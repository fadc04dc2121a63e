"""Steps of the security area."""
