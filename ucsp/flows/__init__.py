"""Role-polymorphic actions: what a scenario makes happen, whichever side is under test.

When a UCSP is under test the suite acts as the Industry Service itself; when an Industry
Service is under test the suite makes it act (harness or operator) and plays UCSP through
its peer. Step definitions call these and never branch on the role themselves.
"""
