"""The options a model family offers its users, declared once by the family.

Each family lists its user-facing constructor arguments as :class:`Option` (label, choices, bounds); the
default is always read from the constructor's signature, as scikit-learn's ``get_params`` does, so a user
interface built from :func:`option_specs` cannot drift from the engine's defaults.
"""

from __future__ import annotations

import inspect
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Option:
    """One user-facing constructor argument of a model family.

    ``choices`` is a tuple of ``(value, label)`` pairs for a pick-one option, or None for a whole number
    between ``minimum`` and ``maximum``; ``blank`` says what leaving a number blank means.
    """

    name: str
    label: str
    choices: tuple[tuple[str, str], ...] | None = None
    minimum: int | None = None
    maximum: int | None = None
    blank: str = ""
    help: str = ""


def constructor_defaults(cls) -> dict:
    """Every constructor argument of ``cls`` with its default (scikit-learn's ``get_params`` contract)."""
    parameters = inspect.signature(cls.__init__).parameters.values()
    return {p.name: p.default for p in parameters if p.name != "self" and p.kind == p.POSITIONAL_OR_KEYWORD}


def option_specs(cls) -> list[dict]:
    """The family's options as plain dicts, each with the constructor's ``default``."""
    defaults = constructor_defaults(cls)
    return [{**asdict(option), "default": defaults[option.name]} for option in cls.OPTIONS]


def checked_options(cls, values: dict) -> dict:
    """``values`` checked against the family's declared options: known names, listed choices, bounds.

    Blank values (None or "") are dropped so the constructor's default applies. Raises ValueError in words.
    """
    declared = {option.name: option for option in cls.OPTIONS}
    out = {}
    for name, value in values.items():
        if name not in declared:
            raise ValueError(f"Unknown option {name!r}; this model offers {', '.join(declared) or 'none'}.")
        if value is None or value == "":
            continue
        option = declared[name]
        if option.choices is not None:
            allowed = [v for v, _ in option.choices]
            if value not in allowed:
                raise ValueError(f"{option.label}: choose one of {', '.join(allowed)}.")
            out[name] = value
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{option.label} must be a whole number.") from None
        if number != int(number) or (option.minimum is not None and number < option.minimum):
            raise ValueError(f"{option.label} must be a whole number of at least {option.minimum}.")
        if option.maximum is not None and number > option.maximum:
            raise ValueError(f"{option.label} must be at most {option.maximum:,}.")
        out[name] = int(number)
    return out
