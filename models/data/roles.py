"""Guess each column's role from its name: target, paid media channel, control or unused."""

from __future__ import annotations

import re

TARGET_NAMES = (
    "revenue",
    "sales",
    "turnover",
    "gmv",
    "income",
    "conversions",
    "orders",
    "bookings",
    "transactions",
    "purchases",
    "kpi",
    "target",
    "y",
)
CHANNEL_WORDS = frozenset(
    """spend spent cost costs budget investment media ads ad google adwords gads facebook fb meta youtube yt
    instagram ig insta tiktok snapchat snap pinterest linkedin twitter bing microsoft amazon ams tv ctv radio
    ooh dooh print search sem ppc display social video programmatic affiliate affiliates dv360 vod podcast
    influencer influencers other others mdsp pmax shopping criteo reddit s""".split()
)
CONTROL_WORDS = frozenset(
    """price prices pricing promo promos promotion promotions discount discounts event events holiday holidays
    hldy competitor competitors competition temperature weather covid launch markdown mrkdn distribution
    sentiment index rsp dummy flag seas season macro cpi unemployment""".split()
)
EXPOSURE_WORDS = frozenset(
    """impression impressions impr imps click clicks reach frequency freq views view grp grps trp trps mdip
    sessions visits""".split()
)
RATE_WORDS = frozenset("per rate ratio share pct percent cpc cpm ctr roas roi".split())
HELPER_NAMES = frozenset(
    """year month quarter week weekday dayofweek day_of_week dayofyear day_of_year doy weeknum week_number
    yr_nbr qtr_nbr wk_nbr wk_in_yr_nbr prd t index id trend time_index row""".split()
)
CHANNEL_PATTERN = re.compile(r"^x\d+$")


def name_tokens(name: str) -> list[str]:
    """Lower-case words of a column name: ``facebook_S`` -> [facebook, s]; ``TikTokSpend`` -> [tik, tok, spend]."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)
    return [t for t in re.split(r"[^a-z0-9]+", spaced.lower()) if t]


def find_target(names: list[str]) -> tuple[str | None, bool]:
    """Return the likeliest target column and whether its name said so (False means a guess)."""
    lowered = {n: n.strip().lower() for n in names}
    for wanted in TARGET_NAMES:
        for name in names:
            if lowered[name] == wanted:
                return name, True
    for wanted in TARGET_NAMES[:-1]:
        for name in names:
            tokens = set(name_tokens(name))
            if wanted in tokens and not tokens & (CONTROL_WORDS | RATE_WORDS | EXPOSURE_WORDS):
                return name, True
    return None, False


def column_role(name: str) -> str:
    """Role of a numeric, non-date, non-target column: "channel", "control" or "unused"."""
    tokens = name_tokens(name)
    words = set(tokens)
    if name.strip().lower() in HELPER_NAMES or (words and words <= HELPER_NAMES):
        return "unused"
    if words & (EXPOSURE_WORDS | RATE_WORDS) or (len(tokens) > 1 and tokens[-1] in {"i", "p"}):
        return "unused"
    if words & CONTROL_WORDS:
        return "control"
    if words & CHANNEL_WORDS and tokens != ["s"] or CHANNEL_PATTERN.match(name.strip().lower()):
        return "channel"
    return "control"


def detect_roles(date: str, numeric: list[str], max_roles: int | None = None) -> tuple[dict, list[str], list[str]]:
    """Assign roles to the numeric columns; return (roles, ignored columns, warnings).

    At most ``max_roles`` columns become channels and controls together (channels first, in file order);
    the others are left unused, with a warning naming them."""
    warnings: list[str] = []
    target, named = find_target(numeric)
    if target is None:
        candidates = [n for n in numeric if column_role(n) != "channel"] or numeric
        target = candidates[-1] if candidates else None
        if target is not None:
            warnings.append(
                f"No column is named like revenue or sales, so {target!r} was taken as the target. "
                "Change it under Roles if that is wrong."
            )
    roles = {"date": date, "target": target, "channels": [], "controls": []}
    ignored = []
    for name in numeric:
        if name == target:
            continue
        role = column_role(name)
        if role == "unused":
            ignored.append(name)
        else:
            roles[role + "s"].append(name)
    if not roles["channels"]:
        warnings.append("No ad spend columns were recognised. Pick your channels under Roles.")
    if max_roles is not None and len(roles["channels"]) + len(roles["controls"]) > max_roles:
        warnings.append(_cap_roles(roles, ignored, max_roles))
    return roles, ignored, warnings


def _cap_roles(roles: dict, ignored: list[str], max_roles: int) -> str:
    """Keep the first ``max_roles`` channels, then controls; move the rest to ``ignored``; say which."""
    channels = roles["channels"][:max_roles]
    controls = roles["controls"][: max_roles - len(channels)]
    left = [c for c in roles["channels"] + roles["controls"] if c not in channels and c not in controls]
    roles["channels"], roles["controls"] = channels, controls
    ignored.extend(left)
    shown = ", ".join(left[:10]) + (f" and {len(left) - 10} more" if len(left) > 10 else "")
    return (
        f"{len(channels) + len(controls) + len(left)} columns look like channels or controls, but at most "
        f"{max_roles} can be used together, so {len(left)} were left unused: {shown}. "
        "Change the choice under Roles."
    )
