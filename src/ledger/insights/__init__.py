"""Networking insights: the questions professionals ask of their network, as of any date.

One module per question group (see ``docs/insights.md``):

* :mod:`~ledger.insights.network_health`: how many of my connections I actually talked to;
* :mod:`~ledger.insights.reminders`: who is fading (rhythm, decay, snoozes, dormant ties);
* :mod:`~ledger.insights.intros`: who should meet whom, the warmest path to someone,
  introductions made and what came of them, how I met someone;
* :mod:`~ledger.insights.givers`: who gives and who takes;
* :mod:`~ledger.insights.invitations`: cold and warm connection requests;
* :mod:`~ledger.insights.who`: who lives somewhere, who knows about something;
* :mod:`~ledger.insights.diversity`: is my network an echo chamber;
* :mod:`~ledger.insights.pictures`: depth over time, and a graph of my strongest ties.

"Me" is the ledger's owner (:func:`get_owner`, :func:`set_owner`: a stored fact), or
any person passed as ``me``.
"""

from __future__ import annotations

from ledger.insights._common import NoOwnerError, NoPathError, get_owner, set_owner
from ledger.insights.diversity import Diversity, diversity
from ledger.insights.givers import Balance, GiverRow, givers, taking
from ledger.insights.intros import (
    BrokerRecord,
    Hop,
    HowMet,
    IntroSuggestion,
    how_met,
    introductions_made,
    suggest_intros,
    warmest_path,
)
from ledger.insights.invitations import Invitations, invitations
from ledger.insights.network_health import NetworkHealth, network_health
from ledger.insights.reminders import (
    Dormant,
    Reminder,
    Reminders,
    SnoozeView,
    remind,
    snooze,
    snoozes,
)
from ledger.insights.who import WhoRow, who

__all__ = [
    "Balance",
    "BrokerRecord",
    "Diversity",
    "Dormant",
    "GiverRow",
    "Hop",
    "HowMet",
    "IntroSuggestion",
    "Invitations",
    "NetworkHealth",
    "NoOwnerError",
    "NoPathError",
    "Reminder",
    "Reminders",
    "SnoozeView",
    "WhoRow",
    "diversity",
    "get_owner",
    "givers",
    "how_met",
    "introductions_made",
    "invitations",
    "network_health",
    "remind",
    "set_owner",
    "snooze",
    "snoozes",
    "suggest_intros",
    "taking",
    "warmest_path",
    "who",
]
