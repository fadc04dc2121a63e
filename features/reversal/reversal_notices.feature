Feature: Cancellation and refund notices at the Industry Service
  A cancellation's or refund's result notice must name the original by its queryId; a notice
  that names another is refused (36), and a repeated success notice is acknowledged without a
  second effect on the payment's refundedAmt.

  @industry @NOT-09 @FMT-06 @FMT-07 @RC-04 @REF-06 @SEC-01 @TRN-04 @PAY-07
  Scenario: A refund notice whose origQryId is not the payment's queryId is rejected with code 36 and changes nothing
    Given an order of 100.00 CNY has been paid
    And UCSP answers the Industry Service's refund inquiries with code 99
    And UCSP holds back its next result notice
    And a refund of 10.05 CNY of the order is pending
    When UCSP sends a success notice of the refund naming another origQryId
    Then the notice is answered with code 36
    And nothing recorded of the order has changed
    And the refund is recorded as PENDING

  @industry @REF-07 @NOT-06 @FMT-06 @FMT-07 @REF-06 @SEC-01 @TRN-04 @PAY-07
  Scenario: A repeated refund success notice is answered 00 and refunds nothing more
    Given an order of 100.00 CNY has been paid
    And 30.00 CNY of the order has been refunded
    When UCSP sends the result notice of the refund again in a fresh envelope
    Then the notice is answered with code 00
    And nothing recorded of the order has changed
    And the order has 70.00 CNY left to refund
