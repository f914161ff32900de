"""Party risk classes over a folded state: for `hub batch`, the matter owner and the exports.

Plain Python over ``HubState`` (its party index) and the open alerts of the matters; the class of
one party reads only that party's record and the alerts of its matters (ADR 0026), so a party's
class can be recomputed alone whenever its record or one of its matters changes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from hub.domain.engine import HubState
from hub.domain.risk import PartyRisk, local_day, score_party
from hub.domain.risk_rules import RiskPolicy
from hub.domain.snapshot import Alert
from hub.domain.targeting import TargetingEntry, listing


def alerts_by_matter(alerts: Iterable[Alert]) -> dict[str, list[Alert]]:
    found: dict[str, list[Alert]] = defaultdict(list)
    for alert in alerts:
        found[alert.matter_id].append(alert)
    return found


def party_risk(
    state: HubState,
    party_id: str,
    open_alerts: Mapping[str, Sequence[Alert]],
    as_of: datetime,
    policy: RiskPolicy,
) -> PartyRisk:
    """One party's class at ``as_of`` (``open_alerts``: matter id -> its open alerts)."""
    alerts = [a for m in sorted(state.party_matters(party_id)) for a in open_alerts.get(m, ())]
    return score_party(
        party_id, state.risk_record(party_id), alerts, as_of, policy.scoring_on(local_day(as_of))
    )


def party_risks(
    state: HubState,
    party_ids: Iterable[str],
    open_alerts: Mapping[str, Sequence[Alert]],
    as_of: datetime,
    policy: RiskPolicy,
) -> dict[str, PartyRisk]:
    return {pid: party_risk(state, pid, open_alerts, as_of, policy) for pid in sorted(set(party_ids))}


def targeting_feed(state: HubState, as_of: datetime, policy: RiskPolicy) -> list[TargetingEntry]:
    """Every listed party at ``as_of`` (class C/D or a recent customs seizure), by party id."""
    found = []
    for pid in state.party_index.party_ids():
        entry = listing(pid, state.risk_record(pid), as_of, policy)
        if entry is not None:
            found.append(entry)
    return found
