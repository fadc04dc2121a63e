Feature: Payment refund
  A succeeded payment is refunded in one or several parts, each under a new orderId that names
  the payment by its queryId, up to the amount not yet refunded (pending refunds counted). The
  UCSP answers by the sandbox amounts and notifies the result with txnType REFUND; the Industry
  Service adds each succeeded refund to the payment's refundedAmt.

  @REF-01 @REF-04 @REF-06 @REF-07 @INQ-02 @NOT-02 @FMT-06 @FMT-07 @FMT-10 @SEC-01 @TRN-04 @PAY-01 @PAY-05 @PAY-06 @PAY-07
  Scenario: A partial refund of a paid order is answered 00 and notified as succeeded
    Given an order of 100.00 CNY has been paid
    When the Industry Service refunds 30.00 CNY of the order
    Then the refund is answered with code 00
    And the result notice of the refund is delivered with txnStatus 00
    And the refund is recorded as SUCCEEDED
    And the order has 70.00 CNY left to refund

  @REF-01 @REF-04 @REF-06 @REF-07 @INQ-02 @NOT-02 @RC-04 @FMT-06 @FMT-07 @FMT-10 @SEC-01 @TRN-04 @PAY-01 @PAY-05 @PAY-06 @PAY-07
  Scenario: A refund of an amount ending in 05 is answered 05 and succeeds later with its notice
    Given an order of 100.00 CNY has been paid
    When the Industry Service refunds 10.05 CNY of the order
    Then the refund is answered with code 05
    And the refund is recorded as PENDING
    And the result notice of the refund is delivered with txnStatus 00
    And the refund is recorded as SUCCEEDED
    And the order has 89.95 CNY left to refund

  @ucsp @REF-01 @REF-04 @INQ-02 @FMT-06 @FMT-07 @SEC-01 @TRN-04 @PAY-01 @PAY-05 @PAY-06
  Scenario: A refund of an amount ending in 01 is declined with code 01 and not notified
    Given an order of 100.00 CNY has been paid
    When the Industry Service refunds 10.01 CNY of the order
    Then the refund is answered with code 01
    And the refund is recorded as FAILED
    And no result notice of the refund is delivered
    And the order has 100.00 CNY left to refund

  @industry @REF-06 @REF-07 @RC-02 @FMT-06 @SEC-01 @PAY-07
  Scenario: A harness refund sends the requested amount under the order's queryId and a 00 answer refunds before its notice
    Given an order of 100.00 CNY has been paid
    And UCSP holds back its next result notice
    When the Industry Service refunds 30.00 CNY of the order
    Then the Industry Service sent one PAYMENT_REFUND for the refund with a new orderId, a txnTime, the order's queryId as origQryId and the requested amount
    And the harness reports the UCSP's answer to the refund
    And the refund is recorded as SUCCEEDED
    And the order has 70.00 CNY left to refund

  @REF-03 @REF-04 @REF-06 @REF-07 @FMT-06 @FMT-07 @SEC-01 @TRN-04 @PAY-01 @PAY-05 @PAY-06 @PAY-07
  Scenario: Partial refunds adding up to the payment's amount all succeed and leave nothing to refund
    Given an order of 100.00 CNY has been paid
    When the Industry Service refunds 30.00 CNY of the order
    And the Industry Service refunds 70.00 CNY of the order
    Then every refund is answered with code 00
    And the order has 0.00 CNY left to refund

  @REF-04 @RC-06 @FMT-06 @FMT-07 @REF-01 @REF-06 @SEC-01 @TRN-04 @PAY-01 @PAY-05 @PAY-06 @PAY-07
  Scenario: A refund above the amount not yet refunded is rejected with code 36 and changes nothing
    Given an order of 100.00 CNY has been paid
    And 60.00 CNY of the order has been refunded
    When the Industry Service refunds 40.02 CNY of the order
    Then the refund is rejected with code 36
    And the order has 40.00 CNY left to refund

  @ucsp @REF-04 @FMT-06 @FMT-07 @REF-01 @SEC-01 @TRN-04 @PAY-01 @PAY-05 @PAY-06
  Scenario: A refund above the amount not yet refunded, pending refunds counted, is rejected with code 36
    Given an order of 100.00 CNY has been paid
    And a refund of 60.05 CNY of the order is pending
    When the Industry Service refunds 40.00 CNY of the order
    Then the refund is rejected with code 36
    And the order has 39.95 CNY left to refund
