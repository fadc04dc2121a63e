"""pytest plugins of the UCSP conformance suite, listed in the root conftest's pytest_plugins."""
