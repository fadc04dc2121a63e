Feature: Closing an auto-debit contract
  The Industry Service closes a contract with CLOSE_AUTO_DEBIT, naming the contractId and the
  contract's user. UCSP answers 00 for an active contract and 00 again for a contract already
  closed, 34 for an unknown contract or another user's, and 01 for a declined one.

  @AD-05 @AD-13 @AD-01 @AD-03 @AD-10 @AD-11 @FMT-06 @FMT-07 @FMT-10 @SEC-01 @TRN-04
  Scenario: Closing an active contract is answered 00, and closing it again is answered 00 too
    Given a new user has signed an auto-debit agreement
    When the Industry Service closes the contract
    Then the closing is answered with code 00
    When the Industry Service closes the contract again
    Then the closing is answered with code 00

  @industry @AD-13 @AD-10 @AD-11 @FMT-06 @FMT-07 @SEC-01 @TRN-04
  Scenario: The Industry Service closes a contract with its contractId and user and records it as closed
    Given a new user has signed an auto-debit agreement
    When the Industry Service closes the contract
    Then the closing is answered with code 00
    And the Industry Service sent a CLOSE_AUTO_DEBIT with the contractId and its user
    And the contract is recorded as CLOSED for its user

  @ucsp @AD-06 @FMT-06 @FMT-07 @SEC-01 @TRN-04
  Scenario: Closing a contract that does not exist is rejected with code 34
    When the Industry Service closes a contract that does not exist
    Then the closing is answered with code 34

  @ucsp @AD-06 @AD-01 @AD-03 @FMT-06 @FMT-07 @FMT-10 @SEC-01 @TRN-04
  Scenario: Closing a contract under another userId is rejected with code 34 and the contract stays active
    Given a new user has signed an auto-debit agreement
    When the Industry Service closes the contract under another userId
    Then the closing is answered with code 34
    And the contract can still be charged

  @ucsp @AD-06 @AD-01 @AD-03 @FMT-06 @FMT-07 @FMT-10 @SEC-01 @TRN-04
  Scenario: Closing a declined contract is rejected with code 01
    Given a new user has declined an auto-debit agreement
    When the Industry Service closes the contract
    Then the closing is answered with code 01
