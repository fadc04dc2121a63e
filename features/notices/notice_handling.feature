Feature: Result notice handling by the Industry Service
  The Industry Service records each result notice once, answers repeated and late notices 00
  without a second effect, and refuses notices that do not match its order.

  @industry @NOT-06 @FMT-06 @FMT-07 @SEC-01 @TRN-04 @PAY-07
  Scenario: A repeated result notice is answered 00 and changes nothing
    Given an order of 100.00 CNY has been paid
    When UCSP sends the result notice of the order again in a fresh envelope
    Then the notice is answered with code 00
    And nothing recorded of the order has changed

  @industry @NOT-07 @FMT-06 @FMT-07 @SEC-01 @TRN-04 @PAY-07
  Scenario: A failure notice for an order already succeeded is answered 00 and changes nothing
    Given an order of 100.00 CNY has been paid
    When UCSP sends another result notice for the order with txnStatus 01
    Then the notice is answered with code 00
    And nothing recorded of the order has changed

  @industry @NOT-08 @FMT-06 @FMT-07 @SEC-01 @TRN-04
  Scenario: A result notice for an unknown orderId is answered 34 and records nothing
    When UCSP sends a result notice for an orderId the Industry Service never created
    Then the notice is answered with code 34
    And the Industry Service has no record of that orderId

  @industry @NOT-09 @FMT-06 @FMT-07 @PAY-07 @SEC-01 @TRN-04
  Scenario: A result notice with a txnAmt other than the order's is answered 36 and changes nothing
    Given an order of 100.00 CNY has been submitted
    When UCSP sends a result notice for the order with a different txnAmt
    Then the notice is answered with code 36
    And nothing recorded of the order has changed

  @industry @NOT-09 @FMT-06 @FMT-07 @PAY-07 @SEC-01 @TRN-04
  Scenario: A result notice with a currencyCode other than the order's is answered 36 and changes nothing
    Given an order of 100.00 CNY has been submitted
    When UCSP sends a result notice for the order with a different currencyCode
    Then the notice is answered with code 36
    And nothing recorded of the order has changed

  @industry @NOT-09 @FMT-06 @FMT-07 @PAY-07 @SEC-01 @TRN-04
  Scenario: A result notice with a txnType other than the order's kind is answered 36 and changes nothing
    Given an order of 100.00 CNY has been submitted
    When UCSP sends a result notice for the order with a different txnType
    Then the notice is answered with code 36
    And nothing recorded of the order has changed

  @industry @NOT-09 @PAY-08 @FMT-06 @FMT-07 @PAY-07 @SEC-01 @TRN-04
  Scenario: A result notice whose txnTime alone differs from the order's is answered 00 and applied
    Given an order of 100.00 CNY has been submitted
    When UCSP sends a result notice for the order with a different txnTime
    Then the notice is answered with code 00
    And the order is recorded as SUCCEEDED

  @industry @NOT-10 @FMT-06 @FMT-07 @SEC-01 @TRN-04 @PAY-07
  Scenario: A result notice that arrives before the answer to the order is applied and kept
    Given UCSP holds back its answer to the next order
    When the Industry Service submits an order of 100.00 CNY and the user pays it before the answer arrives
    Then the result notice of the order is answered 00 before the answer to the order
    And the early-notified order is recorded as SUCCEEDED

  @industry @NOT-11 @FMT-06 @FMT-07 @SEC-01 @TRN-04 @PAY-07
  Scenario: Refund notices delivered in reverse order are each applied exactly once
    Given an order of 100.00 CNY has been paid
    And UCSP answers the Industry Service's refund inquiries with code 99
    And UCSP holds the next 2 result notices
    When the Industry Service refunds 30.05 CNY and then 20.05 CNY of the order
    And UCSP delivers the held notices in reverse order
    Then each refund of the order is recorded as SUCCEEDED
    And the order is recorded as PARTIALLY_REFUNDED with 50.10 CNY refunded
