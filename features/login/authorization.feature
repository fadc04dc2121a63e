Feature: Authorized login at the UCSP
  A Channel App user authorizes an Industry Service at UCSP's AUTHORIZATION_URL. UCSP answers
  with a redirect to the industry's INDUSTRY_INDEX_URL carrying INDUSTRY_LOGIN_INFO in
  request_data: signed by UCSP, the user's mobile encrypted to the industry's encryption
  certificate. A request with a missing or invalid parameter is refused.

  @ucsp @LOGIN-01 @LOGIN-02 @SEC-08 @FMT-06 @SEC-01 @FMT-10 @FMT-12
  Scenario: An authorized user is redirected to the index URL with a signed login message
    When the sandbox user authorizes the Industry Service at the UCSP
    Then the UCSP redirects the browser to the industry's index URL with request_data
    And the login message carries the user's mobile encrypted to the industry encryption certificate
    And the login message is a valid INDUSTRY_LOGIN_INFO signed by UCSP
    And the login message names the industry, the channel and the user

  @ucsp @LOGIN-01 @LOGIN-02 @SEC-08
  Scenario: A second sandbox user's authorization logs in that user, not the first
    When the first sandbox user authorizes the Industry Service at the UCSP
    Then the login message names the industry, the channel and the user
    When the second sandbox user authorizes the Industry Service at the UCSP
    Then the UCSP redirects the browser to the industry's index URL with request_data
    And the login message names the industry, the channel and the user
    And the login message carries the user's mobile encrypted to the industry encryption certificate

  @ucsp @LOGIN-01 @LOGIN-02 @LOGIN-03
  Scenario: An authorization with a userId of the maximum length is redirected with a login for that user
    When the sandbox user authorizes the Industry Service with a userId of the maximum length
    Then the UCSP redirects the browser to the industry's index URL with request_data
    And the login message names the industry, the channel and the user

  @ucsp @LOGIN-01 @LOGIN-03 @SEC-08
  Scenario: An authorization with a mobile of the maximum length is redirected with that mobile encrypted
    When the sandbox user authorizes the Industry Service with a mobile of the maximum length
    Then the UCSP redirects the browser to the industry's index URL with request_data
    And the login message carries the user's mobile encrypted to the industry encryption certificate

  @ucsp @LOGIN-03
  Scenario Outline: An authorization with <defect> is refused with HTTP 400 and no redirect
    When the sandbox user authorizes the Industry Service with "<defect>"
    Then the UCSP refuses the authorization with HTTP 400 and no redirect

    Examples:
      | defect                                 |
      | no industryCode                        |
      | an unknown industryCode                |
      | no channelCode                         |
      | a channelCode of 7 characters          |
      | a channelCode that is not alphanumeric |
      | no userId                              |
      | an empty userId                        |
      | a userId of 65 characters              |
      | no mobile                              |
      | a mobile of 65 characters              |
      | a mobile with a non-ASCII character    |
