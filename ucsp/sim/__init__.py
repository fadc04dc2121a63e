"""Reference implementations of both sides of UCSP, and what they share."""
