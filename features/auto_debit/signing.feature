Feature: Signing an auto-debit agreement
  The Industry Service asks UCSP to have a user sign an auto-debit agreement (SIGN_AUTO_DEBIT)
  and sends the user to the signUrl. When the user signs or declines there, UCSP sends a
  SIGN_AUTO_DEBIT_NOTICE with the contractId to the backUrl of the request and redirects the
  browser to its frontUrl; the Industry Service stores the contract for that user. Every
  scenario uses a user the Industry Service has never asked to sign before.

  @AD-01 @AD-10 @FMT-06 @FMT-07 @SEC-01 @TRN-04
  Scenario: A signing request for a new user is answered 00 with a signUrl
    When the Industry Service asks a new user to sign an auto-debit agreement
    Then the signing request is answered with code 00 and a signUrl

  @industry @AD-10
  Scenario: The Industry Service asks for a signature with its merId, a frontUrl and its notice URL as backUrl
    When the Industry Service asks a new user to sign an auto-debit agreement
    Then the Industry Service sent one SIGN_AUTO_DEBIT for the user with its merId, a frontUrl and its notice URL as backUrl

  @ucsp @AD-02 @FMT-06 @FMT-07 @SEC-01 @TRN-04
  Scenario: A signing request with an unknown merId is rejected with code 36
    When the Industry Service asks a new user to sign an auto-debit agreement with an unknown merId
    Then the signing request is rejected with code 36

  @ucsp @AD-03 @AD-04 @AD-01 @FMT-06 @FMT-07 @FMT-10 @SEC-01 @TRN-04
  Scenario Outline: A user answering <result> on the signing page is notified to the backUrl and sent back to the frontUrl
    Given a new user has been asked to sign an auto-debit agreement
    When the user answers the signing page with result <result>
    Then the signing notice is delivered with signStatus <result>
    And the browser is sent back to the frontUrl with the contractId and signStatus <result>

    Examples:
      | result |
      | 00     |
      | 01     |

  @industry @AD-11 @AD-10 @FMT-06 @FMT-07 @SEC-01 @TRN-04
  Scenario Outline: A signing notice with signStatus <result> is answered 00 and the contract is recorded as <status>
    Given a new user has been asked to sign an auto-debit agreement
    When the user answers the signing page with result <result>
    Then the signing notice is delivered with signStatus <result>
    And the contract is recorded as <status> for its user

    Examples:
      | result | status   |
      | 00     | ACTIVE   |
      | 01     | DECLINED |

  @ucsp @PAY-06 @AD-01 @FMT-06 @FMT-07 @SEC-01 @TRN-04
  Scenario: Answering the signing page a second time is refused with HTTP 409 and sends no second notice
    Given a new user has been asked to sign an auto-debit agreement
    When the user answers the signing page with result 00
    And the user answers the signing page again with result 01
    Then the signing page answers HTTP 409
    And no further signing notice is delivered for the user

  @ucsp @PAY-06 @AD-01 @FMT-06 @FMT-07 @SEC-01 @TRN-04
  Scenario: A result other than 00 or 01 posted to the signing page is refused with HTTP 400 and sends no notice
    Given a new user has been asked to sign an auto-debit agreement
    When the result "02" is posted to the signing page
    Then the signing page answers HTTP 400
    And no signing notice is delivered for the user

  @ucsp @PAY-06 @AD-01 @FMT-06 @FMT-07 @SEC-01 @TRN-04
  Scenario: The signing page of an unknown token answers HTTP 404
    Given a new user has been asked to sign an auto-debit agreement
    When the result "00" is posted to the signing page of an unknown token
    Then the signing page answers HTTP 404

  @industry @AD-12 @AD-10 @FMT-06 @FMT-07 @SEC-01 @TRN-04
  Scenario: A signing notice for a user the Industry Service never asked to sign is rejected with code 34 and stores nothing
    Given a new user has been asked to sign an auto-debit agreement
    When UCSP sends a signing notice naming a user the Industry Service never asked to sign
    Then the signing notice is answered with code 34
    And the Industry Service has no contract under the notice's contractId

  @industry @AD-12 @AD-10 @AD-11 @FMT-06 @FMT-07 @SEC-01 @TRN-04
  Scenario: A signing notice giving a contract to another user is rejected with code 36 and the contract keeps its owner
    Given a new user has signed an auto-debit agreement
    And another new user has been asked to sign an auto-debit agreement
    When UCSP sends a signing notice of the contract naming the other user
    Then the signing notice is answered with code 36
    And the contract is still recorded as ACTIVE for its user
