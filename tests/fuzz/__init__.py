"""Fuzzing of the receivers of the reference implementations."""
