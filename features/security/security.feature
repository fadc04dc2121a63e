Feature: Message security
  Every message is signed by its sender over its exact bytes. A receiver checks the format,
  then verifies the raw bytes it received with the certificate the cert ID names, then applies
  the business rules; a message it rejects with 10 or 11 has no effect at all.

  @SEC-02 @SEC-06 @TRN-04 @FMT-06 @FMT-07 @SEC-01 @TRN-05 @TRN-06
  Scenario Outline: A message <problem> is answered 11 and processes nothing
    Given a valid message the system under test would accept
    When the message is sent with the signature corruption <corruption>
    Then the message is answered with code 11
    And the transaction is unchanged

    Examples:
      | problem                                   | corruption      |
      | changed after it was signed               | content-changed |
      | signed with a key other than the sender's | foreign-key     |
      | whose signature is not standard Base64    | not-base64      |

  @SEC-02 @SEC-06 @TRN-04 @FMT-06 @FMT-07 @SEC-01 @TRN-05 @TRN-06
  Scenario: A message signed under a cert ID the receiver does not know is answered 11 and processes nothing
    Given a valid message the system under test would accept
    When the message is sent with the signature corruption unknown-cert-id
    Then the message is answered with code 11
    And the transaction is unchanged

  @ucsp @SEC-03 @SEC-06 @FMT-06 @FMT-07 @SEC-01 @TRN-04 @TRN-05
  Scenario: A request naming an industryCode the UCSP has not registered is answered 11 and processes nothing
    Given a valid message the system under test would accept
    When the message is re-signed naming another industry's code
    Then the message is answered with code 11
    And the transaction is unchanged

  @industry @SEC-10 @FMT-06 @FMT-07 @SEC-01 @TRN-04 @TRN-05 @TRN-06
  Scenario: A notice naming another industry's code is answered 99 and changes nothing
    Given a valid message the system under test would accept
    When the message is re-signed naming another industry's code
    Then the message is answered with code 99
    And the transaction is unchanged

  @SEC-04 @FMT-06 @FMT-07 @SEC-01 @TRN-04 @TRN-05 @TRN-06
  Scenario Outline: A correctly signed message serialised with <style> is accepted
    Given a valid message the system under test would accept
    When the message is serialised with <style> and signed over those bytes
    Then the message is answered with code 00
    And the message has been processed

    Examples:
      | style                            |
      | extra whitespace                 |
      | unicode escapes of ASCII letters |
      | its signature member first       |

  @SEC-05 @SEC-06 @FMT-06 @FMT-07 @SEC-01 @TRN-04 @TRN-05 @TRN-06
  Scenario: A message both malformed and badly signed is answered 10, the format being checked first
    Given a valid message the system under test would accept
    When the message is sent malformed and badly signed
    Then the message is answered with code 10
    And the transaction is unchanged

  @SEC-05 @FMT-06 @FMT-07 @SEC-01 @SEC-06 @TRN-04 @TRN-05
  Scenario: A badly signed message about an unknown transaction is answered 11, the signature being checked before the business rules
    Given a valid message about a transaction the system under test does not know
    When the message is sent badly signed
    Then the message is answered with code 11
    And the transaction is unchanged

  @SEC-07 @SEC-06 @FMT-06 @FMT-07 @SEC-01 @TRN-04 @TRN-05 @TRN-06
  Scenario: A replayed message is answered 99 and changes nothing
    Given a valid message the system under test would accept
    And the message has been sent and accepted
    When the same bytes are sent again
    Then the message is answered with code 99
    And the transaction is unchanged

  @SEC-07 @FMT-06 @FMT-07 @SEC-01 @TRN-04 @TRN-05 @TRN-06
  Scenario: A badly signed copy of a message is answered 11 and does not poison the replay record
    Given a valid message the system under test would accept
    When a copy of the message with a corrupted signature is sent first
    Then the message is answered with code 11
    When the intact message with the same msgID is sent
    Then the message is answered with code 00
    And the message has been processed
