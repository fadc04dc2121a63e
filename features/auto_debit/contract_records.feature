Feature: How the Industry Service keeps its record of a contract
  A contract is decided by the SIGN_AUTO_DEBIT_NOTICE. Once the Industry Service has recorded
  a contract from a notice, any later notice about it (a duplicate, or one with the other
  signStatus) is answered 00 and changes nothing, also after the contract was closed. The
  browser's return to the frontUrl after signing also names the contract, but it is not a
  signed channel: whether it comes before or after the notice, and after a first notice that
  was answered with an error, the valid notice decides (PROTOCOL.md §8, Industry Service
  rules, v1.2).

  @industry @NOT-06 @AD-10 @AD-11 @AD-13 @FMT-06 @FMT-07 @SEC-01 @TRN-04
  Scenario: A signing notice repeated after the contract was closed is answered 00 and the contract stays closed
    Given the user holds a closed auto-debit contract
    When UCSP sends the signing notice of the contract again
    Then the signing notice is answered with code 00
    And the contract is still recorded as CLOSED for its user

  @industry @AD-15 @AD-10 @AD-11 @FMT-06 @FMT-07 @SEC-01 @TRN-04
  Scenario Outline: A signing notice with signStatus <other> for a contract recorded as <status> is answered 00 and changes nothing
    Given a new user has <decided> an auto-debit agreement
    When UCSP sends a signing notice of the contract with signStatus <other>
    Then the signing notice is answered with code 00
    And the contract is still recorded as <status> for its user

    Examples:
      | decided  | other | status   |
      | signed   | 01    | ACTIVE   |
      | declined | 00    | DECLINED |

  @industry @AD-15 @AD-10 @AD-11 @AD-13 @FMT-06 @FMT-07 @SEC-01 @TRN-04
  Scenario: A signing notice with signStatus 01 for a closed contract is answered 00 and the contract stays closed
    Given the user holds a closed auto-debit contract
    When UCSP sends a signing notice of the contract with signStatus 01
    Then the signing notice is answered with code 00
    And the contract is still recorded as CLOSED for its user

  @industry @AD-16 @AD-10 @AD-11 @FMT-06 @FMT-07 @SEC-01 @TRN-04
  Scenario: The browser coming back to the frontUrl after the signing notice leaves the contract active
    Given a new user has been asked to sign an auto-debit agreement
    When the user answers the signing page with result 00
    Then the signing notice is delivered with signStatus 00
    When the browser follows the signing page's redirect to the frontUrl
    Then the contract is recorded as ACTIVE for its user

  @industry @AD-16 @AD-10 @FMT-06 @FMT-07 @SEC-01 @TRN-04
  Scenario: The browser coming back to the frontUrl before the signing notice arrives does not keep the notice from activating the contract
    Given a new user has been asked to sign an auto-debit agreement
    And UCSP loses the first signing notice and holds back its retry
    When the user answers the signing page with result 00
    And the browser follows the signing page's redirect to the frontUrl
    And UCSP delivers the held signing notice
    Then the contract is recorded as ACTIVE for its user

  @industry @AD-16 @SEC-02 @AD-10 @FMT-06 @FMT-07 @SEC-01 @TRN-04
  Scenario: A contract whose first signing notice was answered with an error ends active after the browser's return and a valid retry
    Given a new user has been asked to sign an auto-debit agreement
    And UCSP breaks the signature of the first signing notice and holds back its retry
    When the user answers the signing page with result 00
    Then the first signing notice is answered with code 11
    When the browser follows the signing page's redirect to the frontUrl
    And UCSP delivers the held signing notice
    Then the contract is recorded as ACTIVE for its user
