"""The suite's own side of a run: a programmable UCSP or Industry Service that records
every exchange and can misbehave on purpose."""
