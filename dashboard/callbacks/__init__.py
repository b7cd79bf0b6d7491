"""Callbacks, bound per app by each module's register(app, ...)."""
