Feature: Inquiries about cancellations, refunds and charges
  A cancellation or refund is inquired about with REFUND_RESULT_INQUIRY, a charge with
  PAYMENT_RESULT_INQUIRY, each under its own orderId and txnTime. The UCSP reports the
  transaction's own status (05 pending, 00 succeeded, 01 failed) and details: its orderId,
  queryId and amount, and the origQryId a cancellation or refund named. The Industry Service
  inquires by itself after a 05 answer or no valid answer, never about a transaction the UCSP
  refused, and no more once the result notice has arrived. Amounts ending in 05 are answered
  05 by the sandbox, whose success notice follows later; amounts ending in 01 are declined.

  # --- a UCSP under test: the suite plays the Industry Service ------------------------------

  @ucsp @INQ-02 @CAN-01 @REF-01 @NOT-02 @FMT-06 @FMT-07 @SEC-01 @TRN-04 @PAY-01 @PAY-05 @PAY-06
  Scenario Outline: An inquiry about a <transaction> reports its own status and details
    Given an order of <amount> has been paid
    And <transaction>
    When the Industry Service inquires about the <which>
    Then the inquiry reports the <which> as <outcome> with its details

    Examples:
      | amount     | transaction                                   | which        | outcome   |
      | 100.00 CNY | 40.00 CNY of the order has been refunded      | refund       | succeeded |
      | 100.00 CNY | a refund of 40.05 CNY of the order is pending | refund       | pending   |
      | 100.00 CNY | the order has been cancelled                  | cancellation | succeeded |
      | 100.05 CNY | a cancellation of the order is pending        | cancellation | pending   |

  @ucsp @INQ-02 @REF-01 @FMT-06 @FMT-07 @SEC-01 @TRN-04 @PAY-01 @PAY-05 @PAY-06
  Scenario: An inquiry about a refund the UCSP declined reports it failed, not the payment's success
    Given an order of 100.00 CNY has been paid
    When the Industry Service refunds 40.01 CNY of the order
    Then the refund is answered with code 01
    When the Industry Service inquires about the refund
    Then the inquiry reports the refund as failed with its details

  @ucsp @INQ-01 @AD-01 @AD-04 @AD-07 @FMT-06 @FMT-07 @SEC-01 @TRN-04
  Scenario Outline: An inquiry about a charge reports its own status and details
    Given a new user has signed an auto-debit agreement
    When the Industry Service charges <amount> on the contract
    And the Industry Service inquires about the charge
    Then the inquiry reports the charge as <outcome> with its details

    Examples:
      | amount    | outcome   |
      | 10.00 CNY | succeeded |
      | 10.05 CNY | pending   |
      | 10.01 CNY | failed    |

  # --- an Industry Service under test: the suite plays UCSP ---------------------------------

  @industry @INQ-04 @INQ-06 @RC-04 @CAN-05 @REF-07 @FMT-06 @SEC-01 @PAY-07 @PAY-08
  Scenario Outline: The Industry Service inquires by itself about a <which> the UCSP leaves pending, and no more once its result notice has arrived
    Given an order of 100.05 CNY has been paid
    And <pending>
    When the Industry Service inquires about the <which>
    Then the result notice of the <which> is delivered with txnStatus 00
    And the Industry Service sends no inquiry about the <which>

    Examples:
      | pending                                       | which        |
      | a refund of 40.05 CNY of the order is pending | refund       |
      | a cancellation of the order is pending        | cancellation |

  @industry @INQ-04 @INQ-06 @RC-04 @AD-10 @AD-11 @PAY-08 @FMT-06 @SEC-01
  Scenario: The Industry Service inquires by itself about a charge the UCSP leaves pending, and no more once its result notice has arrived
    Given a new user has signed an auto-debit agreement
    When the Industry Service charges 10.05 CNY on the contract
    And the Industry Service inquires about the charge
    Then the result notice of the charge is delivered with txnStatus 00
    And the Industry Service sends no inquiry about the charge

  @industry @RC-03 @RC-06 @AD-10 @AD-11 @CAN-05 @REF-07 @FMT-06 @SEC-01 @PAY-07 @PAY-08
  Scenario Outline: The Industry Service sends no inquiry about a <which> the UCSP declined
    Given <paid>
    When the Industry Service <request>
    Then the Industry Service sends no inquiry about the <which>

    Examples:
      | paid                                          | request                           | which        |
      | an order of 100.00 CNY has been paid          | refunds 40.01 CNY of the order    | refund       |
      | an order of 100.01 CNY has been paid          | cancels the order                 | cancellation |
      | a new user has signed an auto-debit agreement | charges 10.01 CNY on the contract | charge       |

  @industry @RC-03 @PAY-07
  Scenario: The Industry Service sends no inquiry about an order the UCSP refused
    When the Industry Service submits an order of 100.00 CNY that UCSP answers with code 36
    Then the status of the order is now FAILED
    And the Industry Service sends no inquiry about the order
