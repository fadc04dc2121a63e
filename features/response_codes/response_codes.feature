Feature: Response-code handling by the Industry Service
  How an Industry Service acts on UCSP's answer to an order-creating request
  (SUBMIT_PAYMENT_ORDER, SUBMIT_AUTO_DEBIT, PAYMENT_CANCELLATION, PAYMENT_REFUND): 00 is final
  success except for a payment order, which waits for its notice; 05 or no valid answer leaves
  the order PENDING and starts the inquiries; 01, 10, 11, 34, 36 and 99 make it FAILED. The
  suite plays UCSP and scripts the answer; the order's status is read through the harness.

  @industry @RC-01 @PAY-07
  Scenario: A payment order answered 00 stays PENDING until its result notice
    When the Industry Service submits an order of 100.00 CNY that UCSP answers with code 00
    Then the status of the order is now PENDING
    When the user pays the order at the cashier with result 00
    Then the status of the order is now SUCCEEDED

  @industry @RC-02 @FMT-06 @FMT-07 @NOT-07 @SEC-01 @TRN-04 @PAY-07 @PAY-08 @RC-06
  Scenario Outline: A cancellation or refund answered 00 is SUCCEEDED before its result notice arrives
    Given an order of 100.00 CNY has been paid
    And UCSP holds back its next result notice
    When the Industry Service forwards <request> to the UCSP
    Then the status of the order is now SUCCEEDED
    When UCSP delivers the held result notice
    Then the status of the order is now SUCCEEDED

    Examples:
      | request                            |
      | a cancellation of the order        |
      | a refund of 40.00 CNY of the order |

  @industry @RC-02 @AD-10 @AD-11 @FMT-06 @FMT-07 @NOT-07 @SEC-01 @TRN-04 @RC-06
  Scenario: An auto-debit charge answered 00 is SUCCEEDED before its result notice arrives
    Given the user holds an active auto-debit contract
    And UCSP holds back its next result notice
    When the Industry Service forwards a charge of 10.00 CNY on the contract to the UCSP
    Then the status of the order is now SUCCEEDED
    When UCSP delivers the held result notice
    Then the status of the order is now SUCCEEDED

  @industry @RC-03 @PAY-07
  Scenario: Orders refused with 01, 10, 11, 34, 36 or 99 become FAILED and are not inquired about
    When the Industry Service submits orders of 100.00 CNY that UCSP answers with code 01, code 10, code 11, code 34, code 36 and code 99, one each
    Then the status of each of those orders is now FAILED
    And the Industry Service sends no inquiry about any of those orders

  @industry @RC-04 @FMT-06 @INQ-04 @SEC-01 @PAY-07
  Scenario: An order answered 05 stays PENDING and is inquired about at once
    When the Industry Service submits an order of 100.00 CNY that UCSP answers with code 05
    Then the status of the order is now PENDING
    And the Industry Service inquires about the order at once with PAYMENT_RESULT_INQUIRY

  @industry @RC-05 @FMT-06 @INQ-04 @SEC-01 @PAY-07
  Scenario Outline: An order without a valid answer stays PENDING and is inquired about, whatever code the answer carries
    When the Industry Service submits an order of 100.00 CNY that UCSP answers with <answer>
    Then the status of the order is now PENDING
    And the Industry Service inquires about the order at once with PAYMENT_RESULT_INQUIRY

    Examples:
      | answer                                            |
      | no answer                                         |
      | HTTP 500                                          |
      | a bad signature with code 01                      |
      | a malformed answer with code 01                   |
      | an answer that does not echo msgInfo with code 01 |

  @industry @RC-06 @RC-03 @PAY-07 @PAY-08
  Scenario: A refund above the refundable amount is forwarded to UCSP and FAILED on its 36
    Given an order of 100.00 CNY has been paid
    When the Industry Service forwards a refund of 150.00 CNY of the order to the UCSP
    Then the Industry Service forwarded the PAYMENT_REFUND to the UCSP as asked
    And the status of the order is now FAILED
    And the payment is still SUCCEEDED

  @industry @RC-06 @RC-03 @AD-10 @AD-11 @AD-13
  Scenario: A charge on a closed contract is forwarded to UCSP and FAILED on its 36
    Given the user holds a closed auto-debit contract
    When the Industry Service forwards a charge of 10.00 CNY on the contract to the UCSP
    Then the Industry Service forwarded the SUBMIT_AUTO_DEBIT to the UCSP as asked
    And the status of the order is now FAILED
