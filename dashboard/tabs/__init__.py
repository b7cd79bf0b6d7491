"""The dashboard by tab: each folder has the tab's layout, callbacks, views and state helpers.

Callbacks are plain module-level functions whose first arguments are what the app wires in (the session
store, the settings, the plan cache); each tab's ``register(app, ...)`` binds them with :func:`bound`, so
tests import and call every callback directly.
"""

from __future__ import annotations

import functools
from collections.abc import Callable


def bound(function: Callable, *wired) -> Callable:
    """``function`` with its first arguments fixed, keeping its name and source (Dash hashes background
    callbacks by their source)."""
    return functools.update_wrapper(functools.partial(function, *wired), function)
