Feature: Payment cancellation
  A succeeded payment is cancelled for its full amount under a new orderId that names the
  payment by its queryId. The UCSP answers by the sandbox amounts (...05 pending, its success
  notified later; ...01 declined; else 00 with the notice right after) and notifies the result
  with txnType CANCELLATION; the Industry Service then records the payment as CANCELLED.

  @CAN-01 @CAN-04 @CAN-05 @REF-05 @INQ-02 @NOT-02 @FMT-06 @FMT-07 @FMT-10 @SEC-01 @TRN-04 @PAY-01 @PAY-05 @PAY-06 @PAY-07
  Scenario: A full cancellation of a paid order is answered 00, notified as succeeded and cancels the order
    Given an order of 100.00 CNY has been paid
    When the Industry Service cancels the order
    Then the cancellation is answered with code 00
    And the result notice of the cancellation is delivered with txnStatus 00
    And the cancellation is recorded as SUCCEEDED
    And the cancellation has taken effect on the order

  @CAN-01 @CAN-04 @CAN-05 @REF-05 @INQ-02 @NOT-02 @RC-04 @FMT-06 @FMT-07 @FMT-10 @SEC-01 @TRN-04 @PAY-01 @PAY-05 @PAY-06 @PAY-07
  Scenario: A cancellation of an amount ending in 05 is answered 05 and succeeds later with its notice
    Given an order of 100.05 CNY has been paid
    When the Industry Service cancels the order
    Then the cancellation is answered with code 05
    And the cancellation is recorded as PENDING
    And the result notice of the cancellation is delivered with txnStatus 00
    And the cancellation is recorded as SUCCEEDED
    And the cancellation has taken effect on the order

  @ucsp @CAN-01 @INQ-02 @FMT-06 @FMT-07 @SEC-01 @TRN-04 @PAY-01 @PAY-05 @PAY-06
  Scenario: A cancellation of an amount ending in 01 is declined with code 01 and not notified
    Given an order of 100.01 CNY has been paid
    When the Industry Service cancels the order
    Then the cancellation is answered with code 01
    And the cancellation is recorded as FAILED
    And no result notice of the cancellation is delivered
    And the order can still be refunded by 10.00 CNY

  @industry @CAN-04 @CAN-05 @RC-03 @PAY-07
  Scenario: A declined cancellation is recorded as FAILED and leaves the order SUCCEEDED
    Given an order of 100.01 CNY has been paid
    When the Industry Service cancels the order
    Then the cancellation is answered with code 01
    And the cancellation is recorded as FAILED
    And the order has 100.01 CNY left to refund

  @industry @CAN-04 @CAN-05 @RC-02 @FMT-06 @SEC-01 @PAY-07
  Scenario: A harness cancellation sends the full amount under the order's queryId and a 00 answer cancels the order before its notice
    Given an order of 100.00 CNY has been paid
    And UCSP holds back its next result notice
    When the Industry Service cancels the order
    Then the Industry Service sent one PAYMENT_CANCELLATION for the cancellation with a new orderId, a txnTime, the order's queryId as origQryId and the full amount
    And the harness reports the UCSP's answer to the cancellation
    And the cancellation is recorded as SUCCEEDED
    And the cancellation has taken effect on the order

  @ucsp @CAN-03 @FMT-06 @FMT-07 @SEC-01 @TRN-04 @PAY-01 @PAY-05 @PAY-06
  Scenario Outline: A cancellation for another amount than the payment's is rejected with code 36 and changes nothing
    Given an order of 100.00 CNY has been paid
    When the Industry Service cancels the order for <amount>
    Then the cancellation is rejected with code 36
    And the order can still be cancelled

    Examples:
      | amount     |
      | 99.99 CNY  |
      | 100.02 CNY |

  @CAN-03 @REF-04 @RC-06 @FMT-06 @FMT-07 @REF-01 @REF-06 @SEC-01 @TRN-04 @CAN-04 @PAY-01 @PAY-05 @PAY-06 @PAY-07
  Scenario: A cancellation after a succeeded refund is rejected with code 36 and changes nothing
    Given an order of 100.00 CNY has been paid
    And 10.00 CNY of the order has been refunded
    When the Industry Service cancels the order
    Then the cancellation is rejected with code 36
    And the order has 90.00 CNY left to refund

  @ucsp @CAN-03 @FMT-06 @FMT-07 @REF-01 @SEC-01 @TRN-04 @PAY-01 @PAY-05 @PAY-06
  Scenario: A cancellation while a refund is pending is rejected with code 36
    Given an order of 100.00 CNY has been paid
    And a refund of 10.05 CNY of the order is pending
    When the Industry Service cancels the order
    Then the cancellation is rejected with code 36
