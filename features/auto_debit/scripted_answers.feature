Feature: What the Industry Service makes of the UCSP's answer to a charge
  The suite, playing UCSP, answers the Industry Service's next SUBMIT_AUTO_DEBIT as the
  scenario says, as it can answer an order. A 05 leaves the charge PENDING and starts its
  inquiries with PAYMENT_RESULT_INQUIRY; a refusal makes it FAILED; an answer the Industry
  Service cannot take (badly signed, whatever code it carries) is no answer: the harness
  reports HTTP 424 with the orderId, the charge stays PENDING and is inquired about.
  Otherwise the harness reports the code the UCSP answered.

  @industry @RC-04 @INQ-04 @AD-10 @AD-11 @AD-14 @FMT-06 @SEC-01
  Scenario: A charge the UCSP leaves pending is recorded as PENDING and inquired about at once
    Given a new user has signed an auto-debit agreement
    And UCSP answers the next charge with code 05
    When the Industry Service charges 10.00 CNY on the contract
    Then the charge is answered with code 05
    And the charge is recorded as PENDING
    And the Industry Service inquires about the charge at once with PAYMENT_RESULT_INQUIRY

  @industry @RC-03 @AD-10 @AD-11 @AD-14
  Scenario: A charge the UCSP refuses with code 99 is recorded as FAILED
    Given a new user has signed an auto-debit agreement
    And UCSP answers the next charge with code 99
    When the Industry Service charges 10.00 CNY on the contract
    Then the charge is answered with code 99
    And the charge is recorded as FAILED

  @industry @RC-05 @PAY-09 @INQ-04 @AD-10 @AD-11 @AD-14 @FMT-06 @SEC-01
  Scenario: A charge whose answer is badly signed is reported as unanswered, stays PENDING and is inquired about at once
    Given a new user has signed an auto-debit agreement
    And UCSP answers the next charge with a bad signature with code 00
    When the Industry Service charges 10.00 CNY on the contract
    Then the harness reports that the charge got no valid answer
    And the charge is recorded as PENDING
    And the Industry Service inquires about the charge at once with PAYMENT_RESULT_INQUIRY
