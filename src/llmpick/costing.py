"""Monthly cost from traffic: API token prices, rented or owned GPUs, currencies, break-even.

A month is 30 days (720 hours) everywhere, and every output states it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from llmpick.catalog.schema import ExchangeRate, Gpu, Offering, Rental
from llmpick.errors import InputError
from llmpick.i18n import _
from llmpick.requirements import RateOverrides, Traffic

DAYS_PER_MONTH = 30
HOURS_PER_MONTH = DAYS_PER_MONTH * 24


@dataclass(frozen=True)
class Money:
    amount: float
    currency: str

    def as_dict(self) -> dict[str, float | str]:
        # Cents for amounts of one unit or more; small per-request figures keep their digits.
        digits = 2 if abs(self.amount) >= 1 else 6
        return {"amount": round(self.amount, digits), "currency": self.currency}


@dataclass(frozen=True)
class RateUsed:
    base: str
    quote: str
    rate: float
    as_of: dt.date | None
    source: str


class Rates:
    """Currency conversion at dated rates: the catalog's defaults, overridden by the requirements."""

    def __init__(self, catalog_rates: list[ExchangeRate], overrides: RateOverrides | None = None) -> None:
        self._rates: dict[tuple[str, str], RateUsed] = {}
        for rate in catalog_rates:
            self._rates[(rate.base, rate.quote)] = RateUsed(rate.base, rate.quote, rate.rate, rate.as_of, rate.source)
        if overrides is not None:
            for pair in ("USD_CNY", "EUR_CNY", "EUR_USD"):
                value = getattr(overrides, pair)
                if value is not None:
                    base, quote = pair.split("_")
                    self._rates[(base, quote)] = RateUsed(
                        base, quote, value, overrides.as_of, _("requirements file")
                    )
        self.used: dict[tuple[str, str], RateUsed] = {}

    def _direct(self, base: str, quote: str) -> float | None:
        if (base, quote) in self._rates:
            used = self._rates[(base, quote)]
            self.used[(base, quote)] = used
            return used.rate
        if (quote, base) in self._rates:
            used = self._rates[(quote, base)]
            self.used[(quote, base)] = used
            return 1.0 / used.rate
        return None

    def factor(self, base: str, quote: str) -> float:
        """Units of `quote` per unit of `base`, through CNY when no direct rate exists."""
        if base == quote:
            return 1.0
        direct = self._direct(base, quote)
        if direct is not None:
            return direct
        for pivot in ("CNY", "USD"):
            first, second = self._direct(base, pivot), self._direct(pivot, quote)
            if first is not None and second is not None:
                return first * second
        raise InputError(
            _("no exchange rate from {base} to {quote}; set exchange_rates in the requirements file.").format(
                base=base, quote=quote
            )
        )

    def convert(self, money: Money, currency: str) -> Money:
        return Money(money.amount * self.factor(money.currency, currency), currency)

    def describe(self) -> list[RateUsed]:
        return sorted(self.used.values(), key=lambda item: (item.base, item.quote))


@dataclass(frozen=True)
class TokenVolumes:
    requests_per_month: float
    input_tokens: float
    cached_input_tokens: float
    uncached_input_tokens: float
    output_tokens: float


def monthly_volumes(traffic: Traffic) -> TokenVolumes:
    requests = traffic.requests_per_day * DAYS_PER_MONTH
    input_tokens = requests * traffic.input_tokens
    cached = input_tokens * traffic.cached_input_share
    return TokenVolumes(
        requests_per_month=requests,
        input_tokens=input_tokens,
        cached_input_tokens=cached,
        uncached_input_tokens=input_tokens - cached,
        output_tokens=requests * traffic.output_tokens,
    )


@dataclass(frozen=True)
class ApiCost:
    offering: Offering
    volumes: TokenVolumes
    monthly: Money
    """In the offering's own currency."""
    input_price: float
    cached_price: float
    output_price: float
    notes: tuple[str, ...]


def api_cost(traffic: Traffic, offering: Offering) -> ApiCost:
    """Monthly bill for `traffic` at `offering`'s list prices, in the offering's currency."""
    input_price, output_price, cached_price = offering.input, offering.output, offering.cached_input
    notes: list[str] = []
    for tier in sorted(offering.tiers or [], key=lambda item: item.above_tokens):
        if traffic.input_tokens > tier.above_tokens:
            input_price, output_price = tier.input, tier.output
            cached_price = tier.cached_input if tier.cached_input is not None else cached_price
            notes.append(
                _("long-input price tier above {tokens} input tokens applies").format(tokens=tier.above_tokens)
            )
    volumes = monthly_volumes(traffic)
    if cached_price is None:
        if volumes.cached_input_tokens:
            notes.append(_("no cached-input price published; cached tokens billed at the input price"))
        cached_price = input_price
    amount = (
        volumes.uncached_input_tokens * input_price
        + volumes.cached_input_tokens * cached_price
        + volumes.output_tokens * output_price
    ) / 1e6
    return ApiCost(
        offering=offering,
        volumes=volumes,
        monthly=Money(amount, offering.currency),
        input_price=input_price,
        cached_price=cached_price,
        output_price=output_price,
        notes=tuple(notes),
    )


def per_thousand_requests(monthly: Money, traffic: Traffic) -> Money:
    requests = traffic.requests_per_day * DAYS_PER_MONTH
    return Money(monthly.amount / requests * 1000, monthly.currency)


def pick_rental(gpu: Gpu, region: str | None, currency: str, rates: Rates) -> Rental | None:
    """Pick the cheapest rental offer for `gpu`, preferring offers in `region`."""
    offers = list(gpu.rental)
    if region is not None:
        local = [offer for offer in offers if offer.region in (region, None)]
        offers = local or offers
    if not offers:
        return None

    def card_hour(offer: Rental) -> float:
        return rates.convert(Money(offer.price_per_hour / offer.gpu_count, offer.currency), currency).amount

    return min(offers, key=lambda offer: (card_hour(offer), offer.provider))


@dataclass(frozen=True)
class HostingCost:
    monthly: Money | None
    """`None` when the catalog has no price for the GPU."""
    cards: int
    basis: str
    source: str | None
    as_of: dt.date | None


def hosting_cost(
    gpu: Gpu,
    cards: int,
    *,
    ownership: str,
    currency: str,
    rates: Rates,
    region: str | None,
    amortization_months: int,
    electricity_price_per_kwh: float | None,
) -> HostingCost:
    """Monthly cost of `cards` GPUs, rented for 720 hours or owned (amortized plus power)."""
    if ownership == "rent":
        offer = pick_rental(gpu, region, currency, rates)
        if offer is None:
            return HostingCost(None, cards, _("no rental price in the catalog"), None, None)
        card_hour = rates.convert(Money(offer.price_per_hour / offer.gpu_count, offer.currency), currency)
        amount = card_hour.amount * cards * HOURS_PER_MONTH
        basis = _("{cards} x {gpu} rented at {price} {currency}/card-hour ({provider}) x {hours} h").format(
            cards=cards, gpu=gpu.name, price=f"{card_hour.amount:.6g}", currency=currency,
            provider=offer.provider, hours=HOURS_PER_MONTH,
        )
        return HostingCost(Money(amount, currency), cards, basis, offer.source, offer.as_of)

    if gpu.purchase is None:
        return HostingCost(None, cards, _("no purchase price in the catalog"), None, None)
    price = rates.convert(Money(gpu.purchase.price, gpu.purchase.currency), currency)
    amount = price.amount * cards / amortization_months
    basis = _("{cards} x {gpu} bought at {price} {currency}, over {months} months").format(
        cards=cards, gpu=gpu.name, price=f"{price.amount:,.0f}", currency=currency, months=amortization_months
    )
    if electricity_price_per_kwh is None:
        basis += _("; electricity not included: set hardware.electricity_price_per_kwh")
    elif gpu.tdp_w is None:
        basis += _("; electricity not included: the catalog has no rated power for this GPU")
    else:
        # Upper bound: every card at its rated board power for the whole month.
        kwh = gpu.tdp_w * cards * HOURS_PER_MONTH / 1000
        amount += kwh * electricity_price_per_kwh
        basis += _(" + {kwh} kWh at {price} {currency}/kWh (rated power, all month)").format(
            kwh=f"{kwh:,.0f}", price=electricity_price_per_kwh, currency=currency
        )
    return HostingCost(Money(amount, currency), cards, basis, gpu.purchase.source, gpu.purchase.as_of)


def tokenizer_rate(model_rate: float | None, catalog_rates: list[float]) -> tuple[float | None, bool]:
    """Tokens per 1,000 Chinese characters: the model's own, else the catalog median (flagged as assumed)."""
    if model_rate is not None:
        return model_rate, False
    if not catalog_rates:
        return None, True
    ordered = sorted(catalog_rates)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return median, True


def model_traffic(traffic: Traffic, rate: float | None) -> Traffic:
    """`traffic` with its Chinese characters turned into tokens at `rate` per 1,000 characters."""
    if not (traffic.chinese_input_chars or traffic.chinese_output_chars) or rate is None:
        return traffic
    return traffic.model_copy(update={
        "input_tokens": traffic.input_tokens + round(traffic.chinese_input_chars * rate / 1000),
        "output_tokens": traffic.output_tokens + round(traffic.chinese_output_chars * rate / 1000),
    })


def peak_requests_per_s(traffic: Traffic) -> float:
    """Requests per second at peak: the daily average times the peak factor."""
    return traffic.requests_per_day * traffic.peak_factor / 86400


def break_even_requests_per_day(
    api_cost_per_request: float, replica_monthly_cost: float, requests_per_day_per_replica: float
) -> float | None:
    """Daily requests above which self-hosting costs less than the API.

    The API bill grows linearly; self-hosting costs one replica's monthly price per
    `requests_per_day_per_replica`. Returns `None` when a full replica still costs more
    per request than the API, so self-hosting never pays off.
    """
    if api_cost_per_request <= 0 or requests_per_day_per_replica <= 0:
        return None
    api_per_day_month = api_cost_per_request * DAYS_PER_MONTH  # monthly API cost of one request per day
    if api_per_day_month * requests_per_day_per_replica < replica_monthly_cost:
        return None
    replicas = 1
    while True:
        candidate = replicas * replica_monthly_cost / api_per_day_month
        if candidate <= replicas * requests_per_day_per_replica:
            return candidate
        replicas += 1
        if replicas > 1_000_000:  # pragma: no cover - guarded by the check above
            return None
