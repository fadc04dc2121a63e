"""SUBMIT_PAYMENT_ORDER, the cashier hook, PAYMENT_RESULT_NOTICE and PAYMENT_RESULT_INQUIRY."""

from __future__ import annotations

from pathlib import Path

from .support import NOTICE_URL, UCSP_URL, Rig, run


def test_order_gets_tn_and_payment_url_and_stays_pending(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        trx, reply = await rig.submitted()
        assert reply.trx["orderId"] == trx["orderId"]
        assert reply.trx["paymentUrl"] == f"{UCSP_URL}/pay/{reply.trx['tn']}"
        inquiry = await rig.send(
            "PAYMENT_RESULT_INQUIRY", {"orderId": trx["orderId"], "txnTime": trx["txnTime"]}
        )
        assert inquiry.code == "00"
        assert inquiry.trx["txnStatus"] == "05"
        assert inquiry.trx["txnAmt"] == trx["txnAmt"]
        assert inquiry.trx["currencyCode"] == "156"
        assert rig.industry.received == []

    run(keys_dir, scenario)


def test_cashier_payment_sends_notice_and_answers_after_first_attempt(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        trx, reply = await rig.submitted("12345")
        answer = await rig.hook(reply.trx["paymentUrl"], "00")
        assert answer.status_code == 200
        assert answer.json() == {
            "orderId": trx["orderId"],
            "result": "00",
            "noticeAcknowledged": True,
        }
        [notice] = rig.industry.notices()
        assert notice["txnType"] == "PAYMENT"
        assert notice["txnStatus"] == "00"
        assert notice["txnAmt"] == "12345"
        assert notice["orderId"] == trx["orderId"]
        assert notice["txnTime"] == trx["txnTime"]
        assert rig.industry.paths == ["/notify"]
        inquiry = await rig.send(
            "PAYMENT_RESULT_INQUIRY", {"orderId": trx["orderId"], "txnTime": trx["txnTime"]}
        )
        assert inquiry.trx["txnStatus"] == "00"
        assert inquiry.trx["queryId"] == notice["queryId"]
        assert NOTICE_URL

    run(keys_dir, scenario)


def test_failed_payment_notice_and_inquiry_report_01(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        trx, reply = await rig.submitted()
        answer = await rig.hook(reply.trx["paymentUrl"], "01")
        assert answer.json()["result"] == "01"
        [notice] = rig.industry.notices()
        assert notice["txnStatus"] == "01"
        inquiry = await rig.send(
            "PAYMENT_RESULT_INQUIRY", {"orderId": trx["orderId"], "txnTime": trx["txnTime"]}
        )
        assert inquiry.trx["txnStatus"] == "01"

    run(keys_dir, scenario)


def test_notice_goes_to_the_request_backurl(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        _, reply = await rig.submitted(backUrl="http://is.test/other-notify")
        await rig.hook(reply.trx["paymentUrl"])
        assert rig.industry.paths == ["/other-notify"]

    run(keys_dir, scenario)


def test_cashier_hook_errors(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        _, reply = await rig.submitted()
        url = reply.trx["paymentUrl"]
        page = await rig.client.get(url)
        assert page.status_code == 200
        assert "<form" in page.text
        assert (await rig.client.get("/pay/nosuchtn")).status_code == 404
        assert (await rig.hook(f"{UCSP_URL}/pay/nosuchtn")).status_code == 404
        assert (await rig.hook(url, "02")).status_code == 400
        missing = await rig.client.post(url, data={"other": "00"})
        assert missing.status_code == 400
        assert (await rig.hook(url, "00")).status_code == 200
        assert (await rig.hook(url, "00")).status_code == 409
        assert (await rig.hook(url, "01")).status_code == 409
        assert len(rig.industry.notices()) == 1

    run(keys_dir, scenario)


def test_identical_resubmission_returns_the_first_answer_even_after_payment(
    keys_dir: Path,
) -> None:
    async def scenario(rig: Rig) -> None:
        trx, first = await rig.submitted()
        again = await rig.send("SUBMIT_PAYMENT_ORDER", trx)
        assert (again.code, again.trx) == (first.code, first.trx)
        await rig.hook(first.trx["paymentUrl"])
        later = await rig.send("SUBMIT_PAYMENT_ORDER", {**trx, "unknownField": "ignored"})
        assert (later.code, later.trx) == (first.code, first.trx)
        assert later.msg_info != first.msg_info  # a fresh envelope

    run(keys_dir, scenario)


def test_order_id_reused_with_other_content_is_36(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        trx, _ = await rig.submitted()
        before = rig.state()
        reply = await rig.send("SUBMIT_PAYMENT_ORDER", {**trx, "txnAmt": "10001"})
        assert reply.code == "36"
        assert reply.trx == {"orderId": trx["orderId"]}
        assert rig.state()["txns_digest"] == before["txns_digest"]

    run(keys_dir, scenario)


def test_order_ids_share_one_namespace_across_order_kinds(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        trx, query_id = await rig.paid()
        refund = rig.reversal(query_id, "100", orderId=trx["orderId"])
        assert (await rig.send("PAYMENT_REFUND", refund)).code == "36"
        cancel = rig.reversal(query_id, trx["txnAmt"], orderId=trx["orderId"])
        assert (await rig.send("PAYMENT_CANCELLATION", cancel)).code == "36"

    run(keys_dir, scenario)


def test_leading_zeros_in_amount_are_the_same_content(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        trx, first = await rig.submitted("100")
        again = await rig.send("SUBMIT_PAYMENT_ORDER", {**trx, "txnAmt": "00100"})
        assert again.trx == first.trx

    run(keys_dir, scenario)


def test_unknown_merchant_or_acquirer_is_36(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        before = rig.state()
        unknown = await rig.send("SUBMIT_PAYMENT_ORDER", rig.order(merId="999999999999999"))
        assert unknown.code == "36"
        wrong_iin = await rig.send("SUBMIT_PAYMENT_ORDER", rig.order(acqIIN="99999999"))
        assert wrong_iin.code == "36"
        assert wrong_iin.trx.keys() == {"orderId"}
        assert rig.state()["txns"] == before["txns"]

    run(keys_dir, scenario)


def test_inquiry_unknown_order_wrong_time_or_other_family_is_34(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        trx, query_id = await rig.paid()
        inquire = {"orderId": trx["orderId"], "txnTime": trx["txnTime"]}
        unknown = await rig.send("PAYMENT_RESULT_INQUIRY", {**inquire, "orderId": "NOSUCH0001"})
        assert (unknown.code, unknown.trx) == ("34", {"orderId": "NOSUCH0001"})
        other_time = await rig.send(
            "PAYMENT_RESULT_INQUIRY", {**inquire, "txnTime": "20200101000000"}
        )
        assert other_time.code == "34"
        assert (await rig.send("REFUND_RESULT_INQUIRY", inquire)).code == "34"
        refund = rig.reversal(query_id, "100")
        assert (await rig.send("PAYMENT_REFUND", refund)).code == "00"
        as_payment = {"orderId": refund["orderId"], "txnTime": refund["txnTime"]}
        assert (await rig.send("PAYMENT_RESULT_INQUIRY", as_payment)).code == "34"
        assert (await rig.send("REFUND_RESULT_INQUIRY", as_payment)).code == "00"

    run(keys_dir, scenario)
