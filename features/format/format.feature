Feature: Message format
  A receiver parses strictly under the limits of the profile, checks the message type and the
  message against its schema, and answers every format error with code 10 (before looking at
  the signature), echoing the message's msgInfo when there is one and sending a fresh one of
  its own when there is not. A message answered 10 changes nothing.

  @FMT-01 @FMT-08 @SEC-06 @TRN-04 @FMT-06 @FMT-07 @SEC-01 @TRN-05 @TRN-06
  Scenario Outline: A body that <problem> is answered 10 and processes nothing
    Given a valid message the system under test would accept
    When the message is sent as raw bytes with <input>
    Then the message is answered with code 10
    And the transaction is unchanged

    Examples:
      | problem                       | input            |
      | starts with a byte-order mark | byte-order-mark  |
      | is not strict UTF-8           | invalid-utf8     |
      | is not JSON                   | truncated-json   |
      | is a JSON array               | top-level-array  |
      | is a JSON string              | top-level-string |

  @FMT-02 @SEC-06 @TRN-04 @FMT-06 @FMT-07 @SEC-01 @TRN-05 @TRN-06
  Scenario Outline: A signed message with a duplicate key <where> is answered 10 and processes nothing
    Given a valid message the system under test would accept
    When the message is sent as raw bytes with <input>
    Then the message is answered with code 10
    And the transaction is unchanged

    Examples:
      | where            | input                   |
      | in trxInfo       | duplicate-key           |
      | at the top level | duplicate-top-level-key |

  @FMT-02 @SEC-06 @TRN-04 @FMT-06 @FMT-07 @SEC-01 @TRN-05 @TRN-06
  Scenario Outline: A signed message with <problem> is answered 10 and processes nothing
    Given a valid message the system under test would accept
    When the message is sent as raw bytes with <input>
    Then the message is answered with code 10
    And the transaction is unchanged

    Examples:
      | problem                          | input          |
      | nesting 33 deep                  | depth-33       |
      | a NaN                            | nan            |
      | an Infinity                      | infinity       |
      | a number overflowing to infinity | overflow-1e999 |
      | a lone surrogate escape          | lone-surrogate |

  @FMT-02 @FMT-05 @FMT-06 @FMT-07 @SEC-01 @TRN-04 @TRN-05 @TRN-06
  Scenario: A message nested exactly 32 deep is not rejected for its depth
    Given a valid message the system under test would accept
    When the message is sent with an unknown field nesting it exactly 32 deep
    Then the message is answered with code 00
    And the message has been processed

  @FMT-03 @SEC-06 @FMT-06 @FMT-07 @SEC-01 @TRN-04 @TRN-05 @TRN-06
  Scenario Outline: A message re-signed as <kind> is answered 10 and processes nothing
    Given a valid message the system under test would accept
    When the message is re-signed as <kind>
    Then the message is answered with code 10
    And the answer's msgInfo is an exact copy of the message's
    And the transaction is unchanged

    Examples:
      | kind                             |
      | a type no interface has          |
      | a type meant for the other party |
      | the login message type           |

  @FMT-04 @SEC-06 @FMT-06 @FMT-07 @SEC-01 @TRN-04 @TRN-05 @TRN-06
  Scenario Outline: Every field rule of <msg_type> broken and re-signed is answered 10 with no state change
    Given a valid <msg_type> message the system under test would accept
    When each field rule of the message is broken in turn and the message re-signed
    Then every broken message is answered with code 10
    And the transaction is unchanged

    @ucsp @AD-04 @PAY-01 @PAY-05 @PAY-06
    Examples: gateway requests
      | msg_type               |
      | SUBMIT_PAYMENT_ORDER   |
      | PAYMENT_RESULT_INQUIRY |
      | SIGN_AUTO_DEBIT        |
      | CLOSE_AUTO_DEBIT       |
      | SUBMIT_AUTO_DEBIT      |
      | PAYMENT_CANCELLATION   |
      | PAYMENT_REFUND         |
      | REFUND_RESULT_INQUIRY  |

    @industry
    Examples: notices
      | msg_type               |
      | PAYMENT_RESULT_NOTICE  |
      | SIGN_AUTO_DEBIT_NOTICE |

  @FMT-05 @FMT-06 @FMT-07 @SEC-01 @TRN-04 @TRN-05 @TRN-06
  Scenario Outline: A message carrying <variation> is processed normally
    Given a valid message the system under test would accept
    When the message is re-signed carrying <variation>
    Then the message is answered with code 00
    And the message has been processed

    Examples:
      | variation                       |
      | an unknown field in every object |
      | its keys in reverse order        |
      | the other party's cert ID        |

  @FMT-07 @FMT-04 @FMT-06 @SEC-01 @SEC-06 @TRN-04 @TRN-05 @TRN-06
  Scenario: The answer 10 to a message breaking its schema echoes its msgInfo exactly
    Given a valid message the system under test would accept
    When the message is re-signed without a mandatory trxInfo field
    Then the message is answered with code 10
    And the answer's msgInfo is an exact copy of the message's
    And the transaction is unchanged

  @FMT-07 @FMT-06 @SEC-01 @TRN-04 @TRN-05 @TRN-06
  Scenario: The answer to an accepted message echoes its msgInfo exactly
    Given a valid message the system under test would accept
    When the message is sent
    Then the message is answered with code 00
    And the answer's msgInfo is an exact copy of the message's

  @FMT-08 @FMT-01 @FMT-04 @FMT-06 @SEC-01 @TRN-04 @TRN-05 @TRN-06
  Scenario Outline: The answer 10 to a body that is <body> carries a fresh msgInfo of the system under test
    Given a valid message the system under test would accept
    When the message is sent as raw bytes with <input>
    Then the message is answered with code 10
    And the answer carries a fresh msgInfo of the system under test

    Examples:
      | body                                 | input              |
      | not JSON                             | truncated-json     |
      | a JSON array                         | top-level-array    |
      | an object without msgInfo            | no-msginfo         |
      | an object whose msgInfo is a string  | msginfo-not-object |

  @FMT-13 @SEC-06 @FMT-06 @FMT-07 @SEC-01 @TRN-04 @TRN-05 @TRN-06
  Scenario Outline: A message stamped beyond the allowed clock skew <way> is answered 10 and processes nothing
    Given a valid message the system under test would accept
    When the message is re-signed with its timeStamp beyond the allowed clock skew <way>
    Then the message is answered with code 10
    And the transaction is unchanged

    Examples:
      | way           |
      | in the past   |
      | in the future |

  @FMT-13 @FMT-06 @FMT-07 @SEC-01 @TRN-04 @TRN-05 @TRN-06
  Scenario: A message stamped at the edge of the allowed clock skew in the future is processed
    Given a valid message the system under test would accept
    When the message is re-signed with its timeStamp at the edge of the allowed clock skew in the future
    Then the message is answered with code 00
    And the message has been processed

  @industry @FMT-13
  Scenario: An INDUSTRY_LOGIN_INFO stamped at the edge of the allowed clock skew in the future opens a session
    When the user arrives at the Industry Service with an INDUSTRY_LOGIN_INFO stamped at the edge of the allowed clock skew in the future
    Then the Industry Service shows its service page with a session cookie
    And the user is logged in at the Industry Service

  @industry @FMT-13
  Scenario: An INDUSTRY_LOGIN_INFO stamped beyond the allowed clock skew is refused with HTTP 400 and no session
    When the user arrives at the Industry Service with an INDUSTRY_LOGIN_INFO stamped beyond the allowed clock skew in the past
    Then the login is refused with HTTP 400 and no session is opened
