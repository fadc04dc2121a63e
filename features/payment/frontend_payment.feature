Feature: Frontend payment
  The Industry Service submits an order, the user pays at the UCSP cashier, and the result
  reaches the Industry Service in a PAYMENT_RESULT_NOTICE.

  @ucsp @PAY-01 @SEC-01 @FMT-06 @FMT-07 @TRN-04
  Scenario: A valid order is answered 00 with a tn and a paymentUrl
    When the Industry Service submits an order of 100.00 CNY
    Then the order is answered with code 00
    And the answer carries a tn and a paymentUrl

  @PAY-05 @PAY-08 @INQ-01 @FMT-06 @FMT-07 @FMT-10 @PAY-01 @PAY-07 @SEC-01 @TRN-04 @PAY-06
  Scenario: A paid order is notified with txnStatus 00 and recorded as succeeded
    Given an order of 100.00 CNY has been submitted
    When the user pays the order at the cashier with result 00
    Then the result notice of the order is delivered with txnStatus 00
    And the order is recorded as SUCCEEDED

  @PAY-05 @PAY-08 @INQ-01 @FMT-06 @FMT-07 @FMT-10 @PAY-01 @PAY-07 @SEC-01 @TRN-04 @PAY-06
  Scenario: A failed payment is notified with txnStatus 01 and recorded as failed
    Given an order of 25.50 HKD has been submitted
    When the user pays the order at the cashier with result 01
    Then the result notice of the order is delivered with txnStatus 01
    And the order is recorded as FAILED
