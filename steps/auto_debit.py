"""Steps of the auto_debit area."""
