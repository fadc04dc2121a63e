"""What a scenario is waiting for right now, for the live progress of a run.

The kit announces a wait it is about to make (:func:`waiting`: a short phrase such as
"inquiry 5 of 7" and the real seconds it may last) and its end (:func:`done`); whoever
shows progress installs one listener (:func:`listen`). With no listener an announcement costs
one global lookup, and callers that must build their phrase first check :func:`listening`.
"""

from __future__ import annotations

from collections.abc import Callable

# (what, within real seconds or None); what None: the wait announced last is over
Listener = Callable[[str | None, float | None], None]

_listener: Listener | None = None


def listen(listener: Listener | None) -> None:
    """Install the one listener (None: announcements are dropped again)."""
    global _listener
    _listener = listener


def listening() -> bool:
    """True when an announcement would reach a listener."""
    return _listener is not None


def waiting(what: str, within: float | None = None) -> None:
    """Announce a wait for ``what``, expected within ``within`` real seconds from now."""
    listener = _listener
    if listener is not None:
        listener(what, within)


def done() -> None:
    """Announce that the wait announced last is over."""
    listener = _listener
    if listener is not None:
        listener(None, None)
