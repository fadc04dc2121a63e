"""State survives a restart on a file database; settings files and `serve` options."""

from __future__ import annotations

import tomllib
from dataclasses import asdict
from pathlib import Path

import pytest

from sim_industry.conftest import WorldFactory
from ucsp.clock import SystemClock
from ucsp.errors import ConfigError
from ucsp.peers.ucsp_peer import GatewayOverride
from ucsp.profile import default_profile
from ucsp.sim.db import Database
from ucsp.sim.industry import IndustryConfig, build_app, build_simulator, load_config
from ucsp.sim.industry.config import config_from_mapping
from ucsp.sim.options import ServeOptions

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
KEYS = ROOT / "fixtures" / "keys" / "test-only"
EXAMPLE = ROOT / "fixtures" / "registry" / "industry-default.toml"


async def test_state_survives_a_restart(make_world: WorldFactory, tmp_path: Path) -> None:
    path = tmp_path / "industry.sqlite"
    first = make_world(db=Database(path))
    paid = await first.paid_order("10000")
    contract_id = await first.active_contract()
    first.peer.override("SUBMIT_PAYMENT_ORDER", GatewayOverride(code="00"))
    pending = (await first.call("/harness/payments", {"txnAmt": "700", "currencyCode": "344"}))[
        "orderId"
    ]
    query = first.login_query()
    assert (await first.client.get(f"/index?{query}")).status_code == 200
    notice = first.payment_notice(pending)
    await first.aclose()
    first.sim.db.close()

    second = make_world(db=Database(path), ucsp_db=first.peer.sim.db)  # the same UCSP
    assert (await second.order(paid))["status"] == "SUCCEEDED"
    assert (await second.contract(contract_id))["status"] == "ACTIVE"
    session = await second.client.get("/harness/users/user0001/session")
    assert session.json()["loggedIn"] is True
    assert (await second.client.get(f"/index?{query}")).status_code == 409
    assert (await second.notice("PAYMENT_RESULT_NOTICE", notice)).code == "00"
    order = await second.order(pending)
    assert order == {
        "orderId": pending,
        "status": "SUCCEEDED",
        "txnAmt": "700",
        "currencyCode": "344",
        "queryId": notice["queryId"],
        "refundedAmt": "0",
    }
    refund = await second.call("/harness/refunds", {"origOrderId": paid, "txnAmt": "10000"})
    assert refund["responseCode"] == "00"
    assert (await second.order(paid))["status"] == "REFUNDED"
    second.sim.db.close()


def test_the_example_settings_file_equals_the_defaults() -> None:
    assert load_config(EXAMPLE) == IndustryConfig()
    table = tomllib.loads(EXAMPLE.read_text())["industry"]
    defaults = asdict(IndustryConfig())
    assert {k: v for k, v in defaults.items() if v is not None} == {
        k: tuple(v) if isinstance(v, list) else v for k, v in table.items()
    }


@pytest.mark.parametrize(
    "table",
    [
        {"industry_code": "SHORT"},
        {"mer_id": "77729005811004"},
        {"acq_iin": 10344},
        {"channel_codes": []},
        {"channel_codes": "CHANNEL1"},
        {"base_url": "ftp://x"},
        {"ucsp_url": "not a url"},
        {"timeout_seconds": 0},
        {"timeout_seconds": True},
        {"unknown": 1},
    ],
)
def test_bad_settings_are_config_errors(table: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        config_from_mapping(table)


def test_bad_settings_files(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[industry\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(broken)
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")
    flat = tmp_path / "flat.toml"
    flat.write_text('industry = "x"\n')
    with pytest.raises(ConfigError, match="must be a table"):
        load_config(flat)


def _options(tmp_path: Path, **changes: object) -> ServeOptions:
    options = ServeOptions(keys=KEYS, port=8181, time_scale=0.01, ucsp_url="http://u.test/gw")
    for key, value in changes.items():
        setattr(options, key, value)
    return options


async def test_build_from_serve_options(tmp_path: Path) -> None:
    settings = tmp_path / "industry.toml"
    settings.write_text('[industry]\nindustry_code = "SHOPS001"\nchannel_codes = ["CH000001"]\n')
    sim = build_simulator(
        _options(tmp_path, config=settings, db=tmp_path / "is.sqlite", faults=["never-inquires"])
    )
    assert sim.config.industry_code == "SHOPS001"
    assert sim.config.channel_codes == ("CH000001",)
    assert sim.base_url == "http://127.0.0.1:8181"
    assert sim.outbound.gateway_url == "http://u.test/gw"
    assert isinstance(sim.clock, SystemClock) and sim.clock.time_scale == 0.01
    assert sim.timeout == pytest.approx(default_profile().timeout_seconds * 0.01)
    assert "never-inquires" in sim.faults
    await sim.aclose()
    assert (tmp_path / "is.sqlite").exists()


async def test_port_zero_learns_the_base_url_from_requests(tmp_path: Path) -> None:
    import httpx

    sim = build_simulator(_options(tmp_path, port=0))
    assert sim.base_url == ""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sim.app), base_url="http://10.1.2.3:9999"
    ) as client:
        await client.post("/harness/payments", json={"txnAmt": "0"})
    assert sim.notice_url == "http://10.1.2.3:9999/notify"
    assert sim.index_url == "http://10.1.2.3:9999/index"
    await sim.aclose()


def test_unknown_fault_option_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown fault"):
        build_app(_options(tmp_path, faults=["nope"]))


def test_settings_timeout_overrides_the_profile(tmp_path: Path) -> None:
    settings = tmp_path / "industry.toml"
    settings.write_text("[industry]\ntimeout_seconds = 2.5\n")
    sim = build_simulator(_options(tmp_path, config=settings))
    assert sim.timeout == 2.5
    sim.db.close()
