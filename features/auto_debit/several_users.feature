Feature: Several users' auto-debit contracts
  Each user signs a contract of their own. What the Industry Service does to one user's
  contract leaves every other user's contract as it was: closing one contract closes that
  contract only.

  @AD-05 @AD-13 @AD-01 @AD-03 @AD-10 @AD-11 @FMT-06 @FMT-07 @FMT-10 @SEC-01 @TRN-04
  Scenario: Closing one user's contract leaves the other user's contract active
    Given a new user has signed an auto-debit agreement
    And another new user has signed an auto-debit agreement
    When the Industry Service closes the contract
    Then the closing is answered with code 00
    And the contract of the other user is still active

  @AD-05 @AD-13 @AD-01 @AD-03 @AD-10 @AD-11 @FMT-06 @FMT-07 @FMT-10 @SEC-01 @TRN-04
  Scenario: Closing the other user's contract leaves the first user's contract active
    Given a new user has signed an auto-debit agreement
    And another new user has signed an auto-debit agreement
    When the Industry Service closes the contract of the other user
    Then the closing is answered with code 00
    And the contract of the first user is still active
