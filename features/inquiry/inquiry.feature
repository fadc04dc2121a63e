Feature: Result inquiry and its back-off schedule
  After a 05 answer, or no valid answer, the Industry Service asks UCSP for the result with
  PAYMENT_RESULT_INQUIRY (payments, auto-debits) or REFUND_RESULT_INQUIRY (cancellations,
  refunds), giving the order's orderId and txnTime, at 0, 1, 3, 7, 15, 31 and 63 s (the
  profile's schedule and tolerance), until it has a final status, a 34, or the result notice.
  UCSP answers an inquiry with the transaction's status, or 34 when it has no such order.
  Amounts ending in 05 are answered 05 by the sandbox, whose success notice follows later.

  # --- an Industry Service under test: the suite plays UCSP ---------------------------------

  @industry @RC-04 @INQ-04 @INQ-05 @INQ-07 @FMT-11 @FMT-06 @SEC-01 @PAY-07
  Scenario: An order answered 05 is inquired about seven times on the back-off schedule and stays PENDING whatever the answers
    Given UCSP answers the inquiries about the next order with txnStatus 05, code 10, code 11, code 99, a bad signature, no answer and HTTP 500
    When the Industry Service submits an order of 100.00 CNY that UCSP answers with code 05
    Then the status of the order is now PENDING
    When the inquiry schedule of the order has run its course
    Then every inquiry was a PAYMENT_RESULT_INQUIRY with the order's orderId and txnTime
    And every inquiry carried a msgID of its own
    And the Industry Service went on inquiring after each of those answers
    And the inquiries went out on the back-off schedule
    And the status of the order is now PENDING

  @industry @INQ-04 @AD-10 @AD-11 @CAN-05 @FMT-06 @PAY-08 @RC-04 @REF-07 @SEC-01 @PAY-07 @RC-06
  Scenario Outline: Cancellations, refunds and auto-debits answered 05 are inquired about with their own type, orderId and txnTime
    Given <precondition>
    When the Industry Service forwards <request> to the UCSP
    Then the Industry Service inquires about the order at once with <inquiry>
    And the status of the order is SUCCEEDED once its result notice has arrived

    Examples:
      | precondition                                | request                                | inquiry                |
      | the user holds an active auto-debit contract | a charge of 100.05 CNY on the contract | PAYMENT_RESULT_INQUIRY |
      | an order of 100.05 CNY has been paid         | a cancellation of the order            | REFUND_RESULT_INQUIRY  |
      | an order of 100.00 CNY has been paid         | a refund of 0.05 CNY of the order      | REFUND_RESULT_INQUIRY  |

  @industry @INQ-06 @INQ-07 @PAY-07
  Scenario Outline: Inquiries stop at an answer with a final status or 34, which decides the order's status
    Given UCSP answers the inquiries about the next order with txnStatus 05 and <answer>
    When the Industry Service submits an order of 100.00 CNY that UCSP answers with code 05
    Then the Industry Service inquires twice about the order and then stops
    And the status of the order is now <status>

    Examples:
      | answer       | status    |
      | txnStatus 00 | SUCCEEDED |
      | txnStatus 01 | FAILED    |
      | code 34      | FAILED    |

  @industry @INQ-06 @PAY-08 @FMT-06 @FMT-07 @INQ-05 @SEC-01 @TRN-04 @PAY-07
  Scenario: Inquiries stop once the result notice has arrived
    When the Industry Service submits an order of 100.00 CNY that UCSP answers with code 05
    And the Industry Service has inquired three times about the order
    And UCSP sends the result notice of the order with txnStatus 00
    Then the result notice of the order is delivered with txnStatus 00
    And the status of the order is now SUCCEEDED
    And the Industry Service sends no further inquiry about the order

  # --- a UCSP under test: the suite plays the Industry Service ------------------------------

  @ucsp @INQ-01 @FMT-06 @FMT-07 @PAY-01 @SEC-01 @TRN-04
  Scenario: An inquiry about an order not paid yet reports txnStatus 05 with the order's details
    Given an order of 100.00 CNY has been submitted
    When the Industry Service inquires about the order with PAYMENT_RESULT_INQUIRY
    Then the inquiry reports txnStatus 05 with the order's details

  @ucsp @INQ-01 @FMT-06 @FMT-07 @PAY-01 @SEC-01 @TRN-04 @PAY-06
  Scenario Outline: An inquiry about a paid or declined order reports the cashier's result
    Given an order of 100.00 CNY has been submitted
    When the user pays the order at the cashier with result <result>
    And the Industry Service inquires about the order with PAYMENT_RESULT_INQUIRY
    Then the inquiry reports txnStatus <result> with the order's details

    Examples:
      | result |
      | 00     |
      | 01     |

  @ucsp @INQ-01 @CAN-01 @FMT-06 @FMT-07 @REF-01 @SEC-01 @TRN-04 @PAY-01 @PAY-05 @PAY-06
  Scenario Outline: An inquiry about a payment still reports txnStatus 00 after a cancellation or refund
    Given an order of 100.00 CNY has been paid
    And the order has since been <reversed>
    When the Industry Service inquires about the order with PAYMENT_RESULT_INQUIRY
    Then the inquiry reports txnStatus 00 with the order's details

    Examples:
      | reversed          |
      | cancelled         |
      | refunded in part  |

  @ucsp @INQ-01 @AD-01 @AD-04 @AD-07 @FMT-06 @FMT-07 @SEC-01 @TRN-04
  Scenario: An inquiry about an auto-debit charge that succeeded reports txnStatus 00
    Given a charge of 10.00 CNY has succeeded at the UCSP
    When the Industry Service inquires about the order with PAYMENT_RESULT_INQUIRY
    Then the inquiry reports txnStatus 00 with the order's details

  @ucsp @INQ-03 @FMT-06 @FMT-07 @SEC-01 @TRN-04
  Scenario Outline: An inquiry about an unknown orderId is answered 34
    When the Industry Service inquires about an unknown orderId with <inquiry>
    Then the inquiry is answered with code 34

    Examples:
      | inquiry                |
      | PAYMENT_RESULT_INQUIRY |
      | REFUND_RESULT_INQUIRY  |

  @ucsp @INQ-03 @FMT-06 @FMT-07 @REF-01 @SEC-01 @TRN-04 @PAY-01 @PAY-05 @PAY-06
  Scenario Outline: An inquiry giving a txnTime other than the order's is answered 34
    Given a <transaction> of 100.00 CNY has succeeded at the UCSP
    When the Industry Service inquires about the order with <inquiry> and another txnTime
    Then the inquiry is answered with code 34

    Examples:
      | transaction | inquiry                |
      | payment     | PAYMENT_RESULT_INQUIRY |
      | refund      | REFUND_RESULT_INQUIRY  |

  @ucsp @INQ-03 @AD-01 @AD-04 @AD-07 @CAN-01 @FMT-06 @FMT-07 @REF-01 @SEC-01 @TRN-04 @PAY-01 @PAY-05 @PAY-06
  Scenario Outline: An inquiry with the other family's message type is answered 34
    Given a <transaction> of 100.00 CNY has succeeded at the UCSP
    When the Industry Service inquires about the order with <inquiry>
    Then the inquiry is answered with code 34

    Examples:
      | transaction  | inquiry                |
      | payment      | REFUND_RESULT_INQUIRY  |
      | charge       | REFUND_RESULT_INQUIRY  |
      | refund       | PAYMENT_RESULT_INQUIRY |
      | cancellation | PAYMENT_RESULT_INQUIRY |
