"""Mutation builders: pure functions turning a valid message into a broken or unusual one.

``serialisation`` writes a message compactly or non-canonically; ``signature`` signs any
bytes and tampers with signatures; ``hostile`` makes the raw bodies a strict parser must
refuse; ``fields`` breaks one schema rule of one field at a time; ``variants`` makes the
message-level variations (retyped, padded, nested, carrying what a receiver must ignore).
None of them sends anything or knows a deployment.
"""
