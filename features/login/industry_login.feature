Feature: Login at the Industry Service's index URL
  UCSP passes INDUSTRY_LOGIN_INFO to the Industry Service's INDUSTRY_INDEX_URL in the query
  parameter request_data. The Industry Service verifies it and logs the user in (service page
  and session), or shows an error page with a 4xx status and creates no session: 400 for a
  format or decryption failure, 403 for a bad signature or an unknown certificate, 409 for a
  msgID already used. Every login is for a user the Industry Service has never seen, and every
  broken login is a valid one with one corruption, re-signed unless the signature is the point.

  @industry @LOGIN-04
  Scenario: A valid login shows the service page and opens a session
    When UCSP sends a valid login for a new user
    Then the Industry Service shows its service page with a session cookie
    And the user is logged in at the Industry Service

  @industry @LOGIN-04
  Scenario: A second user's login leaves the first user logged in
    Given a user has logged in through UCSP
    When UCSP sends a valid login for a new user
    Then the user is logged in at the Industry Service
    And the first user is still logged in at the Industry Service

  @industry @LOGIN-04
  Scenario: A login with a userId of the maximum length shows the service page and opens a session
    When UCSP sends a valid login for a new user with a userId of the maximum length
    Then the Industry Service shows its service page with a session cookie
    And the user is logged in at the Industry Service

  @industry @LOGIN-04
  Scenario: A login with a mobile of the maximum length shows the service page and opens a session
    When UCSP sends a valid login for a new user with a mobile of the maximum length
    Then the Industry Service shows its service page with a session cookie
    And the user is logged in at the Industry Service

  @industry @SEC-09
  Scenario: A login with a signature that does not verify is refused with HTTP 403 and no session
    When UCSP sends a login for a new user with "a signature that does not verify"
    Then the Industry Service refuses the login with HTTP 403
    And the user is not logged in at the Industry Service

  @industry @SEC-09
  Scenario: A login with a signature that is not Base64 is refused with HTTP 403 and no session
    When UCSP sends a login for a new user with "a signature that is not Base64"
    Then the Industry Service refuses the login with HTTP 403
    And the user is not logged in at the Industry Service

  @industry @SEC-09
  Scenario: A login with an unknown ucspSignCertID is refused with HTTP 403 and no session
    When UCSP sends a login for a new user with "an unknown ucspSignCertID"
    Then the Industry Service refuses the login with HTTP 403
    And the user is not logged in at the Industry Service

  @industry @SEC-09
  Scenario: A login with an unknown appEncCertID is refused with HTTP 403 and no session
    When UCSP sends a login for a new user with "an unknown appEncCertID"
    Then the Industry Service refuses the login with HTTP 403
    And the user is not logged in at the Industry Service

  @industry @LOGIN-05
  Scenario: A login with a mobile encrypted to the wrong key is refused with HTTP 400 and no session
    When UCSP sends a login for a new user with "a mobile encrypted to the wrong key"
    Then the Industry Service refuses the login with HTTP 400
    And the user is not logged in at the Industry Service

  @industry @LOGIN-05
  Scenario: A login with a mobile that decrypts to 65 characters is refused with HTTP 400 and no session
    When UCSP sends a login for a new user with "a mobile that decrypts to 65 characters"
    Then the Industry Service refuses the login with HTTP 400
    And the user is not logged in at the Industry Service

  @industry @LOGIN-05
  Scenario Outline: A malformed login with <defect> is refused with HTTP 400 and no session
    When UCSP sends a login for a new user with "<defect>"
    Then the Industry Service refuses the login with HTTP 400
    And the user is not logged in at the Industry Service

    Examples:
      | defect                                     |
      | no request_data                            |
      | a malformed percent escape in request_data |
      | request_data that is not UTF-8             |
      | request_data that is not JSON              |
      | a login message without userId             |
      | a mobile in clear                          |

  @industry @FMT-13
  Scenario: A login with a timeStamp outside the allowed clock skew is refused with HTTP 400 and no session
    When UCSP sends a login for a new user with "a timeStamp outside the allowed clock skew"
    Then the Industry Service refuses the login with HTTP 400
    And the user is not logged in at the Industry Service

  @industry @SEC-07 @LOGIN-04
  Scenario: A login reusing the msgID of an earlier login is refused with HTTP 409 and no session
    Given a user has logged in through UCSP
    When UCSP sends a login for a new user with the msgID of the earlier login
    Then the Industry Service refuses the login with HTTP 409
    And the user is not logged in at the Industry Service

  @industry @SEC-07 @SEC-09
  Scenario: A badly signed login does not use up its msgID
    Given a login for a new user with "a signature that does not verify" has been refused with HTTP 403
    When UCSP sends the same login correctly signed
    Then the Industry Service shows its service page with a session cookie
    And the user is logged in at the Industry Service
