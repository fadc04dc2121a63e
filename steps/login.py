"""Steps of the login area."""
