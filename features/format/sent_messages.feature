Feature: Messages the system under test sends
  Every message the SUT sends, request or response, validates against its schema and is
  signed by it over its exact bytes; every answer echoes the msgInfo of what it answers; every
  message it originates carries a msgID with its own prefix, a msgID never used before and
  its current Beijing time.

  @industry @FMT-06 @FMT-09 @FMT-11 @FMT-12 @SEC-01 @TRN-05
  Scenario: The messages of an order submission validate, are signed and carry fresh identities
    When the Industry Service submits an order of 100.00 CNY
    Then every message the system under test originated carries a fresh msgID of its own and its current Beijing time
    And every message the system under test sent validates against its schema and is signed by it
    And every message the system under test sent travelled as UTF-8 JSON with Content-Type application/json; charset=UTF-8

  @FMT-06 @FMT-07 @FMT-10 @FMT-11 @FMT-12 @SEC-01 @TRN-05 @FMT-09 @PAY-01 @PAY-07 @TRN-04 @PAY-06
  Scenario: A result notice and its answer validate, are signed and carry fresh identities
    Given an order of 100.00 CNY has been submitted
    When the user pays the order at the cashier with result 00
    Then every message the system under test originated carries a fresh msgID of its own and its current Beijing time
    And every message the system under test sent validates against its schema and is signed by it
    And every message the system under test sent travelled as UTF-8 JSON with Content-Type application/json; charset=UTF-8
