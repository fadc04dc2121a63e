"""Conformance under load: ``ucsp-conformance load``, on Locust.

The driver (:mod:`ucsp.load.driver`) and the report (:mod:`ucsp.load.report`) run in the
command's process; Locust and the flows run in child processes (:mod:`ucsp.load.locustfile`),
which are the only ones that import Locust and its gevent patching.
"""
