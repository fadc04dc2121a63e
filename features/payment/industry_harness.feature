Feature: Payments through the Industry Service harness
  The harness makes the Industry Service under test submit orders; it reports what UCSP
  answered and refuses what it cannot do without sending anything.

  @industry @PAY-07
  Scenario: A harness payment sends one SUBMIT_PAYMENT_ORDER as requested and reports the UCSP's answer
    Given an order of 50.00 CNY has been submitted
    When the Industry Service submits an order of 100.00 CNY
    Then the order is answered with code 00
    And the Industry Service sent one SUBMIT_PAYMENT_ORDER for the order with a new orderId, its merchant and the requested amount
    And the harness reports the UCSP's answer to the order

  @industry @PAY-09
  Scenario: The harness refuses a payment of an invalid amount with HTTP 400 and sends nothing
    When the harness is asked to pay an amount of "0"
    Then the harness answers HTTP 400 with an error
    And the Industry Service sent no SUBMIT_PAYMENT_ORDER

  @industry @PAY-09
  Scenario: The harness refuses a refund of an unknown order with HTTP 404 and sends nothing
    When the harness is asked to refund an order that does not exist
    Then the harness answers HTTP 404 with an error
    And the Industry Service sent no PAYMENT_REFUND

  @industry @PAY-09 @PAY-07
  Scenario: The harness refuses a refund of an order without queryId with HTTP 409 and sends nothing
    Given an order of 100.00 CNY has been submitted
    When the harness is asked to refund the order
    Then the harness answers HTTP 409 with an error
    And the Industry Service sent no PAYMENT_REFUND

  @industry @PAY-09
  Scenario: A harness payment that gets no valid answer from UCSP is answered 424 with the orderId
    Given UCSP answers the next order with a bad signature
    When the harness is asked to pay an amount of "10000"
    Then the harness answers HTTP 424 with an error and the orderId

  @industry @PAY-09
  Scenario: A harness payment whose UCSP answer names another orderId reports that answer or is answered 424 with the orderId
    Given UCSP answers the next order naming another orderId
    When the harness is asked to pay an amount of "10000"
    Then the harness reports the UCSP's answer, or answers HTTP 424 with an error and the orderId
