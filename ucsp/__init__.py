"""ucsp: the UCSP protocol kit of ucsp-conformance, usable without pytest."""

__version__ = "0.1.0"
