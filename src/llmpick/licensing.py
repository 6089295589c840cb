"""License terms against a company's plans: violations exclude, duties lower the score."""

from __future__ import annotations

from dataclasses import dataclass, field

from llmpick.catalog.schema import License, Model
from llmpick.i18n import N_, _, format_count, join
from llmpick.requirements import Requirements

# Each duty a license imposes costs this much of the license score; unknown terms
# cost half as much and lower confidence.
DUTY_PENALTY = 0.1
UNKNOWN_PENALTY = 0.05
MIN_SCORE = 0.3

TERRITORY_NAMES = {"EU": N_("the European Union"), "UK": N_("the United Kingdom"), "KR": N_("South Korea"),
                   "CN": N_("mainland China"), "US": N_("the United States")}
REGION_TERRITORIES = {"eu": ("EU",), "cn-mainland": ("CN",), "us": ("US",)}


@dataclass(frozen=True)
class LicenseVerdict:
    license_id: str
    license_name: str
    allowed: bool
    violations: tuple[str, ...]
    duties: tuple[str, ...]
    unknowns: tuple[str, ...]
    score: float
    confidence: float
    evidence: tuple[str, ...] = field(default_factory=tuple)
    verified: bool = True
    """False when the catalog has not read the license text, so commercial use is unknown."""


def evaluate_license(terms: License, model: Model, requirements: Requirements) -> LicenseVerdict:
    needs = requirements.license
    violations: list[str] = []
    duties: list[str] = []
    unknowns: list[str] = []

    if needs.commercial_use and terms.commercial_use is None:
        violations.append(
            _("commercial use is not verified: the catalog has not read this license's text ({name}); read it before use").format(
                name=terms.name
            )
        )
    elif needs.commercial_use and not terms.commercial_use:
        clause = terms.clauses[0] if terms.clauses else terms.name
        violations.append(
            _("{name} does not allow commercial use: \"{clause}\"").format(name=terms.name, clause=clause)
        )
    if needs.open_weights and not model.is_open:
        violations.append(_("weights are not published, but the requirements ask for open weights"))

    users = needs.expected_monthly_active_users or requirements.traffic.monthly_active_users
    if terms.mau_limit is not None:
        limit_text = _("{count} monthly active users").format(count=format_count(terms.mau_limit))
        if terms.threshold_effect == "attribution_required":
            duty = _("above {limit}, display the model name in the product ({name})").format(
                limit=limit_text, name=terms.name
            )
            duties.append(duty)
        elif users is not None and users > terms.mau_limit:
            violations.append(
                _("{name} requires a separate license from the vendor above {limit}; you expect {users}").format(
                    name=terms.name, limit=limit_text, users=format_count(users)
                )
            )
        else:
            duties.append(_("a separate license is needed above {limit}").format(limit=limit_text))
    if terms.revenue_limit_usd_per_month is not None:
        duties.append(
            _("duty applies above {amount} USD monthly revenue").format(
                amount=format_count(terms.revenue_limit_usd_per_month)
            )
        )

    if needs.fine_tune:
        if terms.fine_tuning is False:
            violations.append(_("{name} does not allow fine-tuning").format(name=terms.name))
        elif terms.fine_tuning is None:
            unknowns.append(_("whether fine-tuning is allowed"))
    if needs.redistribute_weights:
        if terms.redistribution is False or not terms.open_weights:
            violations.append(_("{name} does not allow redistributing the weights").format(name=terms.name))
        elif terms.redistribution is None:
            unknowns.append(_("whether the weights may be redistributed"))
    if needs.distill_outputs:
        if terms.outputs_may_train_other_models is False:
            violations.append(
                _("{name} forbids using outputs to train other models").format(name=terms.name)
            )
        elif terms.outputs_may_train_other_models is None:
            unknowns.append(_("whether outputs may train other models"))

    territory = REGION_TERRITORIES.get(requirements.deployment.users_in or "", ())
    excluded_here = [code for code in territory if code in terms.territory_exclusions]
    if excluded_here:
        violations.append(
            _("{name} does not grant rights in {territory}").format(
                name=terms.name, territory=join(_(TERRITORY_NAMES.get(code, code)) for code in excluded_here)
            )
        )

    duties.extend(_("attribution: {text}").format(text=text) for text in terms.attribution)
    if needs.redistribute_weights or needs.fine_tune or needs.distill_outputs:
        duties.extend(_("when distributing: {text}").format(text=text) for text in terms.distribution_duties)
    if terms.naming:
        duties.append(_("naming: {text}").format(text=terms.naming))
    if terms.acceptable_use_policy and terms.acceptable_use_policy.restricted:
        duties.append(
            _("acceptable-use policy restricts: {uses}").format(uses=join(terms.acceptable_use_policy.restricted))
        )

    score = max(MIN_SCORE, 1.0 - DUTY_PENALTY * len(duties) - UNKNOWN_PENALTY * len(unknowns))
    known = sum(value is not None for value in (terms.fine_tuning, terms.redistribution, terms.outputs_may_train_other_models))
    confidence = round(0.55 + 0.15 * known, 2)
    evidence = [f"{terms.name} ({terms.source}, {terms.as_of})"]
    return LicenseVerdict(
        license_id=terms.id,
        license_name=terms.name,
        allowed=not violations,
        violations=tuple(violations),
        duties=tuple(duties),
        unknowns=tuple(unknowns),
        score=0.0 if violations else round(score, 4),
        confidence=confidence,
        evidence=tuple(evidence),
        verified=terms.commercial_use is not None,
    )
