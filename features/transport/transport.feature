Feature: Transport
  Back-end messages are HTTP POSTs of UTF-8 JSON. A receiver (the UCSP gateway, or the notice
  URL of an Industry Service) serves every message type it receives at one URL, refuses what
  is not a protocol message at the HTTP level (405, 415, 413, in that order) without
  processing it, and answers every protocol message with HTTP 200 and a signed response.

  @TRN-01 @SEC-06 @TRN-06
  Scenario Outline: A message sent with method <method> is answered HTTP 405 and processes nothing
    Given a valid message the system under test would accept
    When the message is sent with method <method>
    Then the message is answered HTTP 405 without protocol processing
    And the transaction is unchanged

    Examples:
      | method |
      | GET    |
      | PUT    |

  @TRN-02 @SEC-06 @TRN-06
  Scenario Outline: A message posted as <content_type> is answered HTTP 415 and processes nothing
    Given a valid message the system under test would accept
    When the message is posted with Content-Type "<content_type>"
    Then the message is answered HTTP 415 without protocol processing
    And the transaction is unchanged

    Examples:
      | content_type                      |
      | text/plain; charset=UTF-8         |
      | application/x-www-form-urlencoded |
      | text/json                         |

  @TRN-02 @TRN-03 @TRN-06
  Scenario: A body over 64 KiB posted as text/plain is answered 415, not 413
    Given a valid message the system under test would accept
    When the message padded to one byte over the body size limit is posted with Content-Type "text/plain"
    Then the message is answered HTTP 415 without protocol processing
    And the transaction is unchanged

  @TRN-02 @FMT-06 @FMT-07 @SEC-01 @TRN-04 @TRN-05 @TRN-06
  Scenario Outline: A message posted as <content_type> is accepted
    Given a valid message the system under test would accept
    When the message is posted with Content-Type "<content_type>"
    Then the message is answered with code 00
    And the message has been processed

    Examples:
      | content_type                    |
      | application/json                |
      | APPLICATION/JSON; CHARSET=UTF-8 |
      | Application/Json;charset=utf-8  |

  @TRN-03 @SEC-06 @TRN-06
  Scenario: A body one byte over 64 KiB is answered HTTP 413 and processes nothing
    Given a valid message the system under test would accept
    When the message padded to one byte over the body size limit is sent
    Then the message is answered HTTP 413 without protocol processing
    And the transaction is unchanged

  @TRN-03 @FMT-06 @FMT-07 @SEC-01 @TRN-04 @TRN-05 @TRN-06
  Scenario: A message of exactly 64 KiB is processed as a protocol message
    Given a valid message the system under test would accept
    When the message padded to exactly the body size limit is sent
    Then the message is answered with code 00
    And the message has been processed

  @TRN-04 @SEC-01 @FMT-07 @FMT-06 @TRN-05
  Scenario: A message rejected by a business rule is still answered HTTP 200 with a signed response
    Given a valid message about a transaction the system under test does not know
    When the message is sent
    Then the message is answered with code 34
    And the transaction is unchanged

  @TRN-05 @TRN-04 @FMT-06 @FMT-07 @PAY-01 @PAY-07 @SEC-01 @PAY-06
  Scenario: The messages of a paid order travel as UTF-8 JSON with Content-Type application/json; charset=UTF-8
    Given an order of 100.00 CNY has been submitted
    When the user pays the order at the cashier with result 00
    Then every message the system under test sent travelled as UTF-8 JSON with Content-Type application/json; charset=UTF-8

  @TRN-06 @FMT-07 @FMT-06 @SEC-01 @TRN-04 @TRN-05
  Scenario Outline: A valid <msg_type> is dispatched at the one receiving URL and answered 00
    Given a valid <msg_type> message the system under test would accept
    When the message is sent
    Then the message is answered with code 00
    And the answer's msgInfo is an exact copy of the message's

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
