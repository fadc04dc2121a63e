Feature: Order rules of the UCSP
  The UCSP keeps order-creating requests idempotent: an identical resubmission gets the first
  answer again, an orderId reused with other content is refused, and an order names a
  merchant the UCSP knows.

  @ucsp @PAY-02 @FMT-06 @FMT-07 @SEC-01 @TRN-04 @PAY-01 @PAY-05 @PAY-06
  Scenario: An identical resubmission of a paid order gets the first answer and creates nothing new
    Given an order of 100.00 CNY has been paid
    When the Industry Service submits the same order again
    Then the resubmission is answered with the first answer's code and trxInfo
    And no further result notice of the order is delivered

  @ucsp @PAY-02 @FMT-06 @FMT-07 @SEC-01 @TRN-04 @PAY-01 @PAY-05 @PAY-06
  Scenario Outline: A resubmission that only adds the unknown trxInfo field <name> gets the first answer
    Given an order of 100.00 CNY has been paid
    When the Industry Service submits the same order again with an unknown trxInfo field <name>
    Then the resubmission is answered with the first answer's code and trxInfo

    Examples:
      | name         |
      | memo         |
      | industryCode |

  @ucsp @PAY-03 @FMT-06 @FMT-07 @PAY-01 @SEC-01 @TRN-04
  Scenario: An orderId reused with a different amount is rejected with code 36 and the first order is unchanged
    Given an order of 100.00 CNY has been submitted
    When the Industry Service submits an order of 200.00 CNY under the same orderId
    Then the reused orderId is rejected with code 36
    And the first order is unchanged

  @ucsp @PAY-03 @FMT-06 @FMT-07 @SEC-01 @TRN-04 @PAY-01 @PAY-05 @PAY-06
  Scenario: A refund under the orderId of a payment is rejected with code 36 and refunds nothing
    Given an order of 100.00 CNY has been paid
    When the Industry Service requests a refund of 10.00 CNY of the order under the order's own orderId
    Then the reused orderId is rejected with code 36
    And the order can still be refunded in full

  @ucsp @PAY-04 @FMT-06 @FMT-07 @SEC-01 @TRN-04
  Scenario: An order with an unknown merId is rejected with code 36 and not created
    When the Industry Service submits an order of 100.00 CNY with an unknown merId
    Then the order is rejected with code 36 and not created

  @ucsp @PAY-04 @FMT-06 @FMT-07 @SEC-01 @TRN-04
  Scenario: An order with an acqIIN other than the merchant's is rejected with code 36 and not created
    When the Industry Service submits an order of 100.00 CNY with an unknown acqIIN
    Then the order is rejected with code 36 and not created
