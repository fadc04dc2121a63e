Feature: The sandbox cashier of the UCSP
  The cashier behind the paymentUrl stands for the user paying in the Channel App: a POST with
  result 00 or 01 decides the payment, once.

  @ucsp @PAY-06 @FMT-06 @FMT-07 @PAY-01 @SEC-01 @TRN-04
  Scenario: The cashier answers a payment with the orderId, the result and the notice acknowledgement
    Given an order of 100.00 CNY has been submitted
    When the user pays the order at the cashier with result 00
    Then the cashier answers with the orderId, result 00 and an acknowledged notice

  @ucsp @PAY-06 @FMT-06 @FMT-07 @INQ-01 @SEC-01 @TRN-04 @PAY-01 @PAY-05
  Scenario: Paying an order a second time at the cashier is refused with HTTP 409 and changes nothing
    Given an order of 100.00 CNY has been paid
    When the result "01" is posted to the cashier of the order
    Then the cashier answers HTTP 409
    And the order is recorded as SUCCEEDED

  @ucsp @PAY-06 @FMT-06 @FMT-07 @INQ-01 @PAY-01 @SEC-01 @TRN-04
  Scenario: A result other than 00 or 01 at the cashier is refused with HTTP 400 and changes nothing
    Given an order of 100.00 CNY has been submitted
    When the result "02" is posted to the cashier of the order
    Then the cashier answers HTTP 400
    And the order is recorded as PENDING

  @ucsp @PAY-06 @FMT-06 @FMT-07 @INQ-01 @PAY-01 @SEC-01 @TRN-04
  Scenario: The cashier of an unknown tn answers HTTP 404
    Given an order of 100.00 CNY has been submitted
    When the result "00" is posted to the cashier of an unknown tn
    Then the cashier answers HTTP 404
    And the order is recorded as PENDING

  @ucsp @PAY-06 @FMT-06 @FMT-07 @PAY-01 @SEC-01 @TRN-04
  Scenario: Opening the cashier page with GET shows an HTML form
    Given an order of 100.00 CNY has been submitted
    When the user opens the cashier page of the order
    Then the cashier page is an HTML form
