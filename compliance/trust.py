"""Trusted volunteers, audits and measured accuracy, and moderators' agreement: the rules and the arithmetic.

Pure module. A volunteer with an account becomes trusted after `approvals_needed` approved reports with no
rejection among their last `clean_last` decided reports. A trusted volunteer's report is approved at once, except a
random share drawn for audit, which the queue moderates as usual (moderators are not told it is an audit, so they
judge it like any other). A rejected audit ends the trust. Reports with a flag always go to the queue.

Audits measure what skipping review costs: among audited reports, the share moderators rejected estimates the share
of reports approved without review that should have been rejected; it is published with a Wilson 95% interval.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from compliance.scoring import wilson_interval

# Real randomness in production: a volunteer must not be able to predict (or a seed reveal) which report is audited.
SYSTEM_RANDOM = random.SystemRandom()

QUEUE, AUDIT, TRUSTED = "queue", "audit", "trusted"  # Observation.ReviewRoute values

METHOD = _(
    "Volunteers with an account earn trust after %(approvals)d approved reports with no rejection among their last "
    "%(clean)d decided reports. Their reports are approved without review, except a random %(percent)s%% drawn for "
    "audit, which moderators review like any other report without being told it is an audit. A rejected audit ends "
    "the trust; staff can also grant or withdraw it, and every change is recorded. Reports sent without an account, "
    "and reports with a warning flag, are always reviewed. The share of audited reports that moderators rejected "
    "estimates the share of reports approved without review that should have been rejected; we publish it with a "
    "Wilson 95%% confidence interval."
)


@dataclass(frozen=True)
class TrustRule:
    """The settings of trust: approvals needed, how many recent decisions must be clean, the share audited."""

    approvals_needed: int = 5
    clean_last: int = 10
    audit_share: float = 0.10

    def __post_init__(self) -> None:
        if self.approvals_needed < 1 or self.clean_last < 0:
            raise ValueError("approvals_needed must be at least 1 and clean_last at least 0")
        if not 0.0 <= self.audit_share <= 1.0:
            raise ValueError(f"audit_share must be between 0 and 1, not {self.audit_share}")


def earns_trust(*, approved: int, recent_newest_first: Sequence[str], rule: TrustRule) -> bool:
    """Whether a volunteer with `approved` approved reports, and these latest decisions, earns trust under the rule."""
    return approved >= rule.approvals_needed and "rejected" not in recent_newest_first[: rule.clean_last]


def review_route(*, trusted: bool, flagged: bool, rule: TrustRule, rng: random.Random = SYSTEM_RANDOM) -> str:
    """Where a new report goes: the queue, an audit (queue too), or approved at once."""
    if not trusted or flagged:
        return QUEUE
    return AUDIT if rng.random() < rule.audit_share else TRUSTED


@dataclass(frozen=True)
class AuditFigures:
    """Reports approved without review (n), audits decided (m) and rejected (k): k/m with its Wilson 95% interval."""

    approved_without_review: int
    audited: int
    rejected_in_audit: int
    rate: float | None
    low: float
    high: float


def audit_figures(*, approved_without_review: int, audited: int, rejected_in_audit: int) -> AuditFigures:
    """The measured error rate of skipping review: rejected audits over decided audits, with a Wilson interval."""
    low, high = wilson_interval(rejected_in_audit, audited)
    return AuditFigures(
        approved_without_review=approved_without_review,
        audited=audited,
        rejected_in_audit=rejected_in_audit,
        rate=rejected_in_audit / audited if audited else None,
        low=low,
        high=high,
    )


@dataclass(frozen=True)
class Agreement:
    """Two moderators' decisions on the same items: observed agreement, chance agreement and Cohen's kappa."""

    items: int
    observed: float | None
    expected: float | None
    kappa: float | None


def cohen_kappa(pairs: Sequence[tuple[str, str]]) -> Agreement:
    """Cohen's kappa of paired decisions: (observed − chance agreement) / (1 − chance); None where undefined."""
    n = len(pairs)
    if n == 0:
        return Agreement(0, None, None, None)
    categories = sorted({label for pair in pairs for label in pair})
    observed = sum(1 for first, second in pairs if first == second) / n
    expected = sum(
        (sum(1 for first, _ in pairs if first == label) / n) * (sum(1 for _, second in pairs if second == label) / n)
        for label in categories
    )
    # Both moderators always giving the one same answer: agreement is perfect but kappa is 0/0, so say nothing.
    kappa = None if expected == 1.0 else (observed - expected) / (1.0 - expected)
    return Agreement(n, observed, expected, kappa)
