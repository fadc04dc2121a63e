from pytest_bdd import scenarios

scenarios("response_codes")
