Feature: Charging an auto-debit contract
  The Industry Service charges a signed contract with SUBMIT_AUTO_DEBIT. No user decides the
  outcome: the sandbox amounts do. An amount whose last two digits are 05 is answered 05 and
  its success notice follows later; 01 is answered 01 and no notice follows; any other amount
  is answered 00 at once, with its PAYMENT_RESULT_NOTICE (txnType AUTO_DEBIT) right after.

  @AD-07 @AD-14 @AD-01 @AD-03 @AD-10 @AD-11 @FMT-06 @FMT-07 @FMT-10 @NOT-07 @RC-02 @SEC-01 @TRN-04
  Scenario: A charge of an ordinary amount is answered 00 and notified as succeeded
    Given a new user has signed an auto-debit agreement
    When the Industry Service charges 10.00 CNY on the contract
    Then the charge is answered with code 00
    And the result notice of the charge is delivered with txnStatus 00
    And the charge is recorded as SUCCEEDED

  @AD-07 @AD-14 @AD-01 @AD-03 @AD-10 @AD-11 @FMT-06 @FMT-07 @FMT-10 @PAY-08 @SEC-01 @TRN-04
  Scenario: A charge of an amount ending in 05 is answered 05 and notified as succeeded later
    Given a new user has signed an auto-debit agreement
    When the Industry Service charges 10.05 CNY on the contract
    Then the charge is answered with code 05
    And the result notice of the charge is delivered with txnStatus 00
    And the charge is recorded as SUCCEEDED

  @ucsp @AD-07 @AD-01 @AD-03 @FMT-06 @FMT-07 @FMT-10 @SEC-01 @TRN-04
  Scenario: A charge of an amount ending in 01 is answered 01 and no notice follows
    Given a new user has signed an auto-debit agreement
    When the Industry Service charges 10.01 CNY on the contract
    Then the charge is answered with code 01
    And no result notice of the charge is delivered
    And the charge is recorded as FAILED

  @industry @AD-14 @AD-10 @AD-11 @FMT-06 @FMT-07 @SEC-01 @TRN-04
  Scenario: A harness charge sends one SUBMIT_AUTO_DEBIT with the contractId, a new orderId, the merchant and the requested amount
    Given a new user has signed an auto-debit agreement
    And the contract has been charged 10.00 CNY
    When the Industry Service charges 25.50 HKD on the contract
    Then the charge is answered with code 00
    And the Industry Service sent one SUBMIT_AUTO_DEBIT for the charge with the contractId, a new orderId, its merchant and the requested amount

  @industry @RC-02 @AD-10 @AD-11 @AD-14 @FMT-06 @FMT-07 @NOT-07 @SEC-01 @TRN-04
  Scenario: A charge answered 00 is recorded as succeeded before its result notice arrives
    Given a new user has signed an auto-debit agreement
    And UCSP holds back the result notice of the next charge
    When the Industry Service charges 10.00 CNY on the contract
    Then the charge is answered with code 00
    And the charge is recorded as SUCCEEDED
    When UCSP delivers the held result notice of the charge
    Then the result notice of the charge is delivered with txnStatus 00
    And the charge is recorded as SUCCEEDED

  @industry @NOT-09 @AD-10 @AD-11 @AD-14 @FMT-06 @FMT-07 @PAY-08 @RC-04 @SEC-01 @TRN-04
  Scenario: An auto-debit result notice naming another contract is rejected with code 36 and the charge stays pending
    Given a new user has signed an auto-debit agreement
    And a charge of 10.05 CNY on the contract is pending at the Industry Service
    When UCSP sends the result notice of the charge naming another contract
    Then the charge's result notice is answered with code 36
    And the charge is still recorded as PENDING
    When UCSP delivers the held result notice of the charge
    Then the charge is recorded as SUCCEEDED

  @ucsp @AD-08 @FMT-06 @FMT-07 @SEC-01 @TRN-04
  Scenario: A charge on a contract that does not exist is rejected with code 34 and creates nothing
    When the Industry Service charges 10.00 CNY on a contract that does not exist
    Then the charge is rejected with code 34 and not created

  @ucsp @AD-09 @AD-01 @AD-03 @AD-05 @FMT-06 @FMT-07 @FMT-10 @SEC-01 @TRN-04
  Scenario: A charge on a closed contract is rejected with code 36 and creates nothing
    Given a new user has signed an auto-debit agreement
    And the contract has been closed
    When the Industry Service charges 10.00 CNY on the contract
    Then the charge is rejected with code 36 and not created

  @ucsp @AD-09 @AD-01 @AD-03 @FMT-06 @FMT-07 @FMT-10 @SEC-01 @TRN-04
  Scenario: A charge on a declined contract is rejected with code 36 and creates nothing
    Given a new user has declined an auto-debit agreement
    When the Industry Service charges 10.00 CNY on the contract
    Then the charge is rejected with code 36 and not created

  @ucsp @AD-09 @AD-01 @AD-03 @FMT-06 @FMT-07 @FMT-10 @SEC-01 @TRN-04
  Scenario: A charge by another merchant than the contract's is rejected with code 36 and creates nothing
    Given a new user has signed an auto-debit agreement
    When the Industry Service charges 10.00 CNY on the contract as its other merchant
    Then the charge is rejected with code 36 and not created

  @ucsp @AD-09 @AD-01 @AD-03 @FMT-06 @FMT-07 @FMT-10 @SEC-01 @TRN-04
  Scenario Outline: A charge with an unknown <field> is rejected with code 36 and creates nothing
    Given a new user has signed an auto-debit agreement
    When the Industry Service charges 10.00 CNY on the contract with an unknown <field>
    Then the charge is rejected with code 36 and not created

    Examples:
      | field  |
      | merId  |
      | acqIIN |
