"""Steps of the transport area."""
