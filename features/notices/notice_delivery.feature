Feature: Result notice delivery by the UCSP
  The UCSP sends each PAYMENT_RESULT_NOTICE to the order's backUrl, or to the registered notice
  URL, and retransmits it on the retry schedule, in a fresh envelope each time, until the
  Industry Service acknowledges it with a valid, signed, echoing 00.

  @ucsp @NOT-01 @FMT-06 @FMT-07 @PAY-01 @SEC-01 @TRN-04 @PAY-06
  Scenario: A result notice goes to the backUrl of the order when the order has one
    Given an order of 100.00 CNY has been submitted with a second notice URL as backUrl
    When the user pays the order at the cashier with result 00
    Then the result notice of the order arrives at the order's backUrl

  @ucsp @NOT-01 @FMT-06 @FMT-07 @PAY-01 @SEC-01 @TRN-04 @PAY-06
  Scenario: A result notice goes to the registered notice URL when the order has no backUrl
    Given an order of 100.00 CNY has been submitted
    When the user pays the order at the cashier with result 00
    Then the result notice of the order arrives at the registered notice URL

  @ucsp @NOT-03 @NOT-04 @FMT-11 @FMT-06 @FMT-07 @FMT-10 @PAY-01 @SEC-01 @TRN-04 @PAY-06
  Scenario: An unacknowledged result notice is sent 7 times on the retry schedule, each time in a fresh envelope
    Given the Industry Service answers the next 8 result notices with code 99
    And an order of 100.00 CNY has been submitted
    When the user pays the order at the cashier with result 00
    Then the result notice of the order is transmitted 7 times on the retry schedule
    And every transmission carries the same trxInfo in a fresh envelope

  @ucsp @NOT-03 @FMT-06 @FMT-07 @NOT-04 @PAY-01 @SEC-01 @TRN-04 @PAY-06
  Scenario: A result notice acknowledged on its third transmission is not sent again
    Given the Industry Service answers the next 2 result notices with code 36
    And an order of 100.00 CNY has been submitted
    When the user pays the order at the cashier with result 00
    Then the result notice of the order is transmitted 3 times and no more

  @ucsp @NOT-05 @FMT-06 @FMT-07 @FMT-10 @NOT-03 @PAY-01 @SEC-01 @TRN-04 @PAY-06
  Scenario Outline: A result notice answered with <answer> is not acknowledged and is sent again
    Given the Industry Service answers the next result notice with <answer>
    And an order of 100.00 CNY has been submitted
    When the user pays the order at the cashier with result 00
    Then the result notice of the order is sent again with the same trxInfo

    Examples:
      | answer          |
      | code 34         |
      | code 36         |
      | code 10         |
      | code 99         |
      | HTTP 500        |
      | a bad signature |
      | no echo         |
