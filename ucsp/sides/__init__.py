"""The suite's two sides: one object per role under test (see :mod:`ucsp.sides.side`)."""
