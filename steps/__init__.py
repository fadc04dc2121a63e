"""Step definitions, one module per domain noun, registered as pytest plugins."""
