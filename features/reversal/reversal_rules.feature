Feature: What a UCSP refuses to reverse
  A cancellation or refund must name, by origQryId, a payment the UCSP knows (else 34) that
  has succeeded and that is neither cancelled nor being cancelled; a cancellation or refund
  cannot itself be reversed (36). A refused reversal is not recorded.

  @ucsp @INQ-03 @FMT-06 @FMT-07 @SEC-01 @TRN-04
  Scenario Outline: A <reversal> naming an unknown origQryId is rejected with code 34 and not created
    When the Industry Service asks for a <reversal> of 100.00 CNY of an unknown origQryId
    Then the <reversal> is rejected with code 34

    @CAN-02
    Examples: cancellation
      | reversal     |
      | cancellation |

    @REF-02
    Examples: refund
      | reversal |
      | refund   |

  @ucsp @FMT-06 @FMT-07 @PAY-01 @SEC-01 @TRN-04 @INQ-01
  Scenario Outline: A <reversal> of an unpaid order is rejected with code 36
    Given an order of 100.00 CNY has been submitted
    When the Industry Service <reverses> the order
    Then the <reversal> is rejected with code 36

    @CAN-03
    Examples: cancellation
      | reverses | reversal     |
      | cancels  | cancellation |

    @REF-05
    Examples: refund
      | reverses              | reversal |
      | refunds 100.00 CNY of | refund   |

  @ucsp @FMT-06 @FMT-07 @PAY-01 @SEC-01 @TRN-04 @PAY-06
  Scenario Outline: A <reversal> of a failed payment is rejected with code 36
    Given an order of 100.00 CNY has been submitted
    When the user pays the order at the cashier with result 01
    And the Industry Service <reverses> the order
    Then the <reversal> is rejected with code 36

    @CAN-03
    Examples: cancellation
      | reverses | reversal     |
      | cancels  | cancellation |

    @REF-05
    Examples: refund
      | reverses              | reversal |
      | refunds 100.00 CNY of | refund   |

  @ucsp @CAN-01 @FMT-06 @FMT-07 @SEC-01 @TRN-04 @PAY-01 @PAY-05 @PAY-06
  Scenario Outline: A <reversal> of a cancelled order is rejected with code 36
    Given an order of 100.00 CNY has been paid
    And the order has been cancelled
    When the Industry Service <reverses> the order
    Then the <reversal> is rejected with code 36

    @CAN-03
    Examples: cancellation
      | reverses | reversal     |
      | cancels  | cancellation |

    @REF-05
    Examples: refund
      | reverses             | reversal |
      | refunds 10.00 CNY of | refund   |

  @ucsp @CAN-01 @FMT-06 @FMT-07 @SEC-01 @TRN-04 @PAY-01 @PAY-05 @PAY-06
  Scenario Outline: A <reversal> while a cancellation is pending is rejected with code 36
    Given an order of 100.05 CNY has been paid
    And a cancellation of the order is pending
    When the Industry Service <reverses> the order
    Then the <reversal> is rejected with code 36

    @CAN-03
    Examples: cancellation
      | reverses | reversal     |
      | cancels  | cancellation |

    @REF-05
    Examples: refund
      | reverses             | reversal |
      | refunds 10.00 CNY of | refund   |

  @ucsp @FMT-06 @FMT-07 @REF-01 @SEC-01 @TRN-04 @PAY-01 @PAY-05 @PAY-06
  Scenario Outline: A <reversal> of a refund is rejected with code 36
    Given an order of 100.00 CNY has been paid
    And 10.00 CNY of the order has been refunded
    When the Industry Service <reverses> the refund
    Then the <reversal> is rejected with code 36

    @CAN-03
    Examples: cancellation
      | reverses | reversal     |
      | cancels  | cancellation |

    @REF-05
    Examples: refund
      | reverses            | reversal |
      | refunds 5.00 CNY of | refund   |
