"""Monthly cost from a traffic profile; a month is 30 days."""

import datetime as dt

import pytest

from llmpick.catalog.schema import ExchangeRate, Offering
from llmpick.costing import (
    DAYS_PER_MONTH,
    Money,
    Rates,
    api_cost,
    break_even_requests_per_day,
    per_thousand_requests,
)
from llmpick.errors import InputError
from llmpick.requirements import RateOverrides, Traffic

AS_OF = dt.date(2026, 12, 4)


def offering(input_price, output_price, currency="CNY", cached=None, tiers=None):
    return Offering(provider="p", region="cn-mainland", currency=currency, input=input_price, output=output_price,
                    cached_input=cached, tiers=tiers, source="test", as_of=AS_OF)


def test_month_is_thirty_days():
    assert DAYS_PER_MONTH == 30


def test_api_monthly_cost_basic():
    traffic = Traffic(requests_per_day=20000, input_tokens=800, output_tokens=300)
    bill = api_cost(traffic, offering(2.0, 8.0))
    assert bill.volumes.input_tokens == 480_000_000
    assert bill.volumes.output_tokens == 180_000_000
    assert bill.monthly.amount == pytest.approx(2400.0)
    assert per_thousand_requests(bill.monthly, traffic).amount == pytest.approx(4.0)


def test_api_monthly_cost_with_cached_input():
    traffic = Traffic(requests_per_day=20000, input_tokens=800, output_tokens=300, cached_input_share=0.5)
    bill = api_cost(traffic, offering(2.0, 8.0, cached=0.5))
    assert bill.monthly.amount == pytest.approx(2040.0)


def test_cached_input_without_price_billed_at_input_price():
    traffic = Traffic(requests_per_day=20000, input_tokens=800, output_tokens=300, cached_input_share=0.5)
    bill = api_cost(traffic, offering(2.0, 8.0))
    assert bill.monthly.amount == pytest.approx(2400.0)
    assert bill.notes


def test_currency_conversion_is_dated_and_shown():
    traffic = Traffic(requests_per_day=1000, input_tokens=1000, output_tokens=500)
    bill = api_cost(traffic, offering(3.0, 15.0, currency="USD"))
    assert bill.monthly.amount == pytest.approx(315.0)
    rates = Rates([], RateOverrides(USD_CNY=7.1, as_of=dt.date(2026, 12, 1)))
    converted = rates.convert(bill.monthly, "CNY")
    assert converted.amount == pytest.approx(2236.5)
    used = rates.describe()
    assert [(rate.base, rate.quote, rate.rate, rate.as_of) for rate in used] == [
        ("USD", "CNY", 7.1, dt.date(2026, 12, 1))
    ]


def test_catalog_rate_used_when_not_overridden():
    rate = ExchangeRate(base="USD", quote="CNY", rate=7.0, source="central parity", as_of=dt.date(2026, 11, 30))
    rates = Rates([rate])
    assert rates.convert(Money(10, "CNY"), "USD").amount == pytest.approx(10 / 7.0)
    assert rates.describe()[0].as_of == dt.date(2026, 11, 30)


def test_conversion_through_pivot_currency():
    rates = Rates([
        ExchangeRate(base="USD", quote="CNY", rate=7.0, source="s", as_of=AS_OF),
        ExchangeRate(base="EUR", quote="CNY", rate=8.0, source="s", as_of=AS_OF),
    ])
    assert rates.factor("EUR", "USD") == pytest.approx(8.0 / 7.0)


def test_missing_rate_is_an_error():
    with pytest.raises(InputError, match="no exchange rate from USD to EUR"):
        Rates([]).factor("USD", "EUR")


def test_long_input_tier_applies_above_threshold():
    from llmpick.catalog.schema import PriceTier

    traffic = Traffic(requests_per_day=1000, input_tokens=40000, output_tokens=100)
    bill = api_cost(traffic, offering(1.0, 2.0, tiers=[PriceTier(above_tokens=32000, input=3.0, output=6.0)]))
    assert bill.input_price == 3.0
    assert bill.monthly.amount == pytest.approx((1.2e9 * 3.0 + 3e6 * 6.0) / 1e6)


def test_break_even_worked_by_hand():
    # API: 0.004 CNY per request. One replica costs 9,000 CNY a month and carries 150,000
    # requests a day. API cost at R requests/day = 0.004 x 30 x R = 0.12 R per month, which
    # equals 9,000 at R = 75,000, within one replica's capacity.
    assert break_even_requests_per_day(0.004, 9000, 150_000) == pytest.approx(75_000)


def test_break_even_none_when_full_replica_costs_more():
    # A full replica carries 50,000 requests/day, which cost 0.12 x 50,000 = 6,000 CNY a
    # month by API, less than the replica's 9,000: self-hosting never catches up.
    assert break_even_requests_per_day(0.004, 9000, 50_000) is None


def test_break_even_none_when_api_always_cheaper():
    assert break_even_requests_per_day(0.0001, 9000, 100_000) is None


@pytest.mark.parametrize("field,value", [("requests_per_day", 0), ("requests_per_day", -5), ("input_tokens", 0),
                                         ("output_tokens", -1), ("cached_input_share", 1.5)])
def test_bad_traffic_rejected(field, value):
    from pydantic import ValidationError

    data = {"requests_per_day": 100, "input_tokens": 100, "output_tokens": 100, field: value}
    with pytest.raises(ValidationError):
        Traffic(**data)


def test_chinese_characters_counted_in_model_tokens():
    from llmpick.costing import model_traffic, tokenizer_rate

    traffic = Traffic(requests_per_day=1000, input_tokens=100, output_tokens=50,
                      chinese_input_chars=1000, chinese_output_chars=500)
    rate, assumed = tokenizer_rate(600, [600, 900])
    assert (rate, assumed) == (600, False)
    converted = model_traffic(traffic, rate)
    assert converted.input_tokens == 100 + 600
    assert converted.output_tokens == 50 + 300


def test_unknown_tokenizer_rate_uses_median():
    from llmpick.costing import tokenizer_rate

    assert tokenizer_rate(None, [600, 700, 1500]) == (700, True)
    assert tokenizer_rate(None, [600, 800]) == (700, True)
    assert tokenizer_rate(None, []) == (None, True)


def test_recommend_applies_tokenizer_rate_to_cost(tmp_path):
    import datetime as dt

    from llmpick.catalog.index import CatalogIndex
    from llmpick.catalog.loader import load_catalog
    from llmpick.engine import recommend
    from llmpick.requirements import Requirements

    index = CatalogIndex(load_catalog(use_overlay=False, use_cache=False))
    base = {"tasks": {"qa": 1}, "deployment": {"mode": "api", "region": "international"},
            "traffic": {"requests_per_day": 1000, "input_tokens": 100, "output_tokens": 100},
            "budget": {"currency": "USD"}}
    model = index.model("deepseek-v4.1-flash")
    plain = recommend(Requirements.model_validate(base), index, today=dt.date(2026, 12, 4), models=[model],
                      with_sensitivity=False)
    base["traffic"] = {**base["traffic"], "chinese_input_chars": 1000}
    chinese = recommend(Requirements.model_validate(base), index, today=dt.date(2026, 12, 4), models=[model],
                        with_sensitivity=False)
    # DeepSeek: 600 tokens per 1,000 characters, so 600 more input tokens per request.
    offering = next(o for o in model.offerings if o.region == "international")
    extra = 1000 * 30 * 600 * offering.input / 1e6
    assert chinese.ranking[0].cost.monthly.amount == pytest.approx(plain.ranking[0].cost.monthly.amount + extra)
    assert any("tokens per 1,000 characters (this model's tokenizer)" in line for line in chinese.ranking[0].cost.basis)


def test_owned_gpu_amortized_plus_rated_power():
    from llmpick.catalog.schema import Gpu
    from llmpick.costing import hosting_cost

    gpu = Gpu(id="rtx-4090", name="RTX 4090", vendor="nvidia", kind="gpu", memory_gb=24, bandwidth_gb_s=1008,
              tdp_w=450, source="test", as_of=AS_OF,
              purchase={"price": 1599, "currency": "USD", "source": "test", "as_of": AS_OF})
    without_power = hosting_cost(gpu, 1, ownership="own", currency="USD", rates=Rates([]), region=None,
                                 amortization_months=36, electricity_price_per_kwh=None)
    assert without_power.monthly.amount == pytest.approx(1599 / 36)
    assert "electricity not included" in without_power.basis
    # 450 W x 720 h = 324 kWh at 0.15 USD/kWh = 48.60 USD.
    with_power = hosting_cost(gpu, 1, ownership="own", currency="USD", rates=Rates([]), region=None,
                              amortization_months=36, electricity_price_per_kwh=0.15)
    assert with_power.monthly.amount == pytest.approx(1599 / 36 + 48.6)


def test_rented_gpu_price_times_720_hours():
    from llmpick.catalog.schema import Gpu
    from llmpick.costing import hosting_cost

    gpu = Gpu(id="h100", name="H100", vendor="nvidia", kind="gpu", memory_gb=80, bandwidth_gb_s=3350,
              source="test", as_of=AS_OF,
              rental=[{"provider": "a", "price_per_hour": 2.5, "currency": "USD", "source": "t", "as_of": AS_OF},
                      {"provider": "b", "price_per_hour": 16.0, "currency": "USD", "gpu_count": 8, "source": "t",
                       "as_of": AS_OF}])
    cost = hosting_cost(gpu, 2, ownership="rent", currency="USD", rates=Rates([]), region=None,
                        amortization_months=36, electricity_price_per_kwh=None)
    # The 8-card offer is 2.0 USD per card-hour, cheaper than 2.5: 2 cards x 2.0 x 720 h.
    assert cost.monthly.amount == pytest.approx(2 * 2.0 * 720)


def test_break_even_for_qwen3_8b_by_hand():
    import datetime as dt

    from llmpick.catalog.index import CatalogIndex
    from llmpick.catalog.loader import load_catalog
    from llmpick.comparison import cost_options
    from llmpick.requirements import Requirements

    index = CatalogIndex(load_catalog(use_overlay=False, use_cache=False))
    needs = Requirements.model_validate({
        "tasks": {"qa": 1},
        "deployment": {"mode": "either", "region": "cn-mainland"},
        "traffic": {"requests_per_day": 10000, "input_tokens": 1000, "output_tokens": 200, "peak_factor": 2},
        "hardware": {"gpus": [{"id": "h100-sxm", "count": 1}], "utilization": 0.5},
        "budget": {"currency": "CNY"},
    })
    data = cost_options("qwen3-8b", index, needs, today=dt.date(2026, 12, 4))
    hosted = next(option for option in data["options"] if option["deployment"].startswith("self_hosted:1xh100-sxm"))
    api = next(option for option in data["options"] if option["deployment"] == "api:alibaba-bailian-cn@cn-mainland")

    # API on Bailian: (1,000 x 0.5 + 200 x 5.0) / 1e6 = 0.0015 CNY a request, 450 CNY a month at 10,000 a day.
    assert api["monthly_cost"]["amount"] == pytest.approx(450.0)
    # One rented H100 SXM: 2.69 USD/h (cheapest offer) x 7.0197 CNY/USD x 720 h = 13,595.7 CNY a month.
    assert hosted["monthly_cost"]["amount"] == pytest.approx(2.69 * 7.0197 * 720, abs=0.01)
    # One replica: compute caps it at 0.4 x 989e12 / (2 x 8.2e9) = 24,122 tokens/s, 20.1 requests/s of
    # 1,200 tokens (below the 44.9 requests/s memory bandwidth allows), so at 50% utilization and a
    # peak twice the average it carries 20.1 x 0.5 x 86,400 / 2 = 434,224 requests a day.
    # Break-even: 13,595.7 CNY / (0.0015 CNY x 30 days) = 302,127 requests a day, within one replica.
    assert hosted["break_even_requests_per_day"] == pytest.approx(2.69 * 7.0197 * 720 / (0.0015 * 30), abs=1)
