"""Ways to make a system under test act: its harness API, UCSP sandbox hooks, or a person."""
