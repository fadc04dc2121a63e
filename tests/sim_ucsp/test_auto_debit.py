"""Auto-debit: SIGN_AUTO_DEBIT and the signing page, the notice, CLOSE and SUBMIT_AUTO_DEBIT."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import httpx

from ucsp import sandbox
from ucsp.sim.ucsp.registry import Merchant

from .support import UCSP_URL, Rig, registry_for, run

OTHER_MER_ID = "777290058110099"


def test_signing_redirects_to_front_url_and_notifies(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        reply = await rig.send("SIGN_AUTO_DEBIT", rig.sign_request(contractDesc="Tolls"))
        assert reply.code == "00"
        sign_url = reply.trx["signUrl"]
        assert sign_url.startswith(f"{UCSP_URL}/sign/")
        page = await rig.client.get(sign_url)
        assert page.status_code == 200
        assert "<form" in page.text
        answer = await rig.hook(sign_url, "00")
        assert answer.status_code == 302
        location = httpx.URL(answer.headers["location"])
        assert location.path == "/front"
        assert location.params["x"] == "1"
        assert location.params["signStatus"] == "00"
        [notice] = rig.industry.notices("SIGN_AUTO_DEBIT_NOTICE")
        assert notice == {
            "contractId": location.params["contractId"],
            "userId": "user0001",
            "signStatus": "00",
        }
        assert (await rig.hook(sign_url, "00")).status_code == 409

    run(keys_dir, scenario)


def test_signing_hook_errors(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        reply = await rig.send("SIGN_AUTO_DEBIT", rig.sign_request())
        assert (await rig.client.get("/sign/nosuch")).status_code == 404
        assert (await rig.hook(f"{UCSP_URL}/sign/nosuch")).status_code == 404
        assert (await rig.hook(reply.trx["signUrl"], "5")).status_code == 400
        assert rig.industry.received == []

    run(keys_dir, scenario)


def test_declined_signature_gets_a_contract_id_and_cannot_be_used(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        contract_id = await rig.contract(result="01")
        [notice] = rig.industry.notices("SIGN_AUTO_DEBIT_NOTICE")
        assert notice["signStatus"] == "01"
        assert notice["contractId"] == contract_id
        charge = await rig.send("SUBMIT_AUTO_DEBIT", rig.charge(contract_id))
        assert charge.code == "36"
        close = {"contractId": contract_id, "userId": "user0001"}
        assert (await rig.send("CLOSE_AUTO_DEBIT", close)).code == "01"

    run(keys_dir, scenario)


def test_sign_with_unknown_merchant_is_36(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        reply = await rig.send("SIGN_AUTO_DEBIT", rig.sign_request(merId="999999999999999"))
        assert reply.code == "36"
        assert "signUrl" not in reply.trx

    run(keys_dir, scenario)


def test_close_contract(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        contract_id = await rig.contract()
        close = {"contractId": contract_id, "userId": "user0001"}
        assert (await rig.send("CLOSE_AUTO_DEBIT", {**close, "userId": "user0002"})).code == "34"
        unknown = await rig.send("CLOSE_AUTO_DEBIT", {**close, "contractId": "C0"})
        assert (unknown.code, unknown.trx) == ("34", {"contractId": "C0"})
        first = await rig.send("CLOSE_AUTO_DEBIT", close)
        assert (first.code, first.trx) == ("00", {"contractId": contract_id})
        assert (await rig.send("CLOSE_AUTO_DEBIT", close)).code == "00"
        assert (await rig.send("SUBMIT_AUTO_DEBIT", rig.charge(contract_id))).code == "36"

    run(keys_dir, scenario)


def test_unsigned_contract_is_unknown(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        await rig.send("SIGN_AUTO_DEBIT", rig.sign_request())
        pending = rig.db.conn.execute("SELECT contract_id FROM contracts").fetchone()[0]
        charge = await rig.send("SUBMIT_AUTO_DEBIT", rig.charge(pending))
        assert charge.code == "34"

    run(keys_dir, scenario)


def test_charge_approved_now_with_notice(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        contract_id = await rig.contract()
        trx = rig.charge(contract_id, "2000")
        reply = await rig.send("SUBMIT_AUTO_DEBIT", trx)
        assert reply.code == "00"
        assert reply.trx.keys() == {"orderId", "queryId"}
        await rig.drain()
        [notice] = rig.industry.notices()
        assert notice["txnType"] == "AUTO_DEBIT"
        assert notice["contractId"] == contract_id
        assert notice["queryId"] == reply.trx["queryId"]
        assert notice["txnStatus"] == "00"
        inquiry = await rig.send(
            "PAYMENT_RESULT_INQUIRY", {"orderId": trx["orderId"], "txnTime": trx["txnTime"]}
        )
        assert inquiry.trx["txnStatus"] == "00"

    run(keys_dir, scenario)


def test_charge_magic_05_succeeds_later(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        contract_id = await rig.contract()
        trx = rig.charge(contract_id, "10105")
        start = rig.clock.elapsed()
        reply = await rig.send("SUBMIT_AUTO_DEBIT", trx)
        assert reply.code == "05"
        inquire = {"orderId": trx["orderId"], "txnTime": trx["txnTime"]}
        assert (await rig.send("PAYMENT_RESULT_INQUIRY", inquire)).trx["txnStatus"] == "05"
        await rig.drain()
        [entry] = rig.sim.journal.select("PAYMENT_RESULT_NOTICE", "out")
        assert entry.elapsed - start == 2.0
        [notice] = rig.industry.notices()
        assert notice["txnStatus"] == "00"
        assert (await rig.send("PAYMENT_RESULT_INQUIRY", inquire)).trx["txnStatus"] == "00"
        again = await rig.send("SUBMIT_AUTO_DEBIT", trx)
        assert (again.code, again.trx) == ("05", reply.trx)

    run(keys_dir, scenario)


def test_charge_magic_01_is_declined_without_notice(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        contract_id = await rig.contract()
        trx = rig.charge(contract_id, "301")
        assert (await rig.send("SUBMIT_AUTO_DEBIT", trx)).code == "01"
        await rig.drain()
        assert rig.industry.notices() == []
        inquire = {"orderId": trx["orderId"], "txnTime": trx["txnTime"]}
        assert (await rig.send("PAYMENT_RESULT_INQUIRY", inquire)).trx["txnStatus"] == "01"

    run(keys_dir, scenario)


def test_charge_refusals(keys_dir: Path) -> None:
    registry = registry_for(keys_dir)
    other = Merchant(OTHER_MER_ID, sandbox.ACQ_IIN, sandbox.INDUSTRY_CODE)
    registry = replace(registry, merchants={**registry.merchants, OTHER_MER_ID: other})

    async def scenario(rig: Rig) -> None:
        contract_id = await rig.contract()
        assert (await rig.send("SUBMIT_AUTO_DEBIT", rig.charge("C404"))).code == "34"
        other_merchant = rig.charge(contract_id, merId=OTHER_MER_ID)
        assert (await rig.send("SUBMIT_AUTO_DEBIT", other_merchant)).code == "36"
        unknown = rig.charge(contract_id, merId="999999999999999")
        assert (await rig.send("SUBMIT_AUTO_DEBIT", unknown)).code == "36"
        wrong_iin = rig.charge(contract_id, acqIIN="99999999")
        assert (await rig.send("SUBMIT_AUTO_DEBIT", wrong_iin)).code == "36"
        trx = rig.charge(contract_id)
        assert (await rig.send("SUBMIT_AUTO_DEBIT", trx)).code == "00"
        assert (await rig.send("SUBMIT_AUTO_DEBIT", {**trx, "txnAmt": "7"})).code == "36"

    run(keys_dir, scenario, registry=registry)
