Feature: What the Industry Service makes of the UCSP's answer to a cancellation or refund
  The suite, playing UCSP, answers the Industry Service's next cancellation or refund as the
  scenario says, as it can answer an order. A 05 leaves the reversal PENDING and starts its
  inquiries with REFUND_RESULT_INQUIRY; a refusal makes it FAILED and leaves the payment as it
  was; an answer the Industry Service cannot take (none, or badly signed) is reported by the
  harness as HTTP 424 with the orderId and leaves the reversal PENDING, its result to be
  inquired about. Otherwise the harness reports the code the UCSP answered.

  @industry @RC-04 @INQ-04 @REF-06 @FMT-06 @SEC-01 @PAY-07 @PAY-08
  Scenario: A refund the UCSP leaves pending is recorded as PENDING and inquired about at once
    Given an order of 100.00 CNY has been paid
    And UCSP answers the next refund with code 05
    When the Industry Service refunds 30.00 CNY of the order
    Then the refund is answered with code 05
    And the refund is recorded as PENDING
    And the Industry Service inquires about the refund at once with REFUND_RESULT_INQUIRY

  @industry @RC-03 @CAN-04 @CAN-05 @PAY-07 @PAY-08
  Scenario Outline: A cancellation the UCSP refuses with code <code> is recorded as FAILED and leaves the payment as it was
    Given an order of 100.00 CNY has been paid
    And UCSP answers the next cancellation with code <code>
    When the Industry Service cancels the order
    Then the cancellation is answered with code <code>
    And the cancellation is recorded as FAILED
    And the order has 100.00 CNY left to refund

    Examples:
      | code |
      | 11   |
      | 99   |

  @industry @RC-05 @PAY-09 @INQ-04 @REF-06 @FMT-06 @SEC-01 @PAY-07 @PAY-08
  Scenario Outline: A refund the UCSP answers with <answer> is reported as unanswered, stays PENDING and is inquired about at once
    Given an order of 100.00 CNY has been paid
    And UCSP answers the next refund with <answer>
    When the Industry Service refunds 30.00 CNY of the order
    Then the harness reports that the refund got no valid answer
    And the refund is recorded as PENDING
    And the Industry Service inquires about the refund at once with REFUND_RESULT_INQUIRY

    Examples:
      | answer                       |
      | a bad signature with code 00 |
      | no answer                    |
