from pytest_bdd import scenarios

scenarios("auto_debit")
