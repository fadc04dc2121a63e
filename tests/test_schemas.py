"""The message schemas and their kit module, ucsp.schemas."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from ucsp import schemas
from ucsp.messages import MESSAGE_TYPES, NOTICE_TYPES, Kind, Party
from ucsp.mutation.fields import field_mutations
from ucsp.schemas import FieldError, FieldRule

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "messages"
PAIRS: list[tuple[str, Kind]] = [
    (name, kind)
    for name, spec in MESSAGE_TYPES.items()
    for kind in (("request", "response") if spec.has_response else ("request",))
]
PAIR_IDS = [f"{name}.{kind}" for name, kind in PAIRS]


def sample(msg_type: str, kind: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{msg_type}.{kind}.json").read_text("utf-8"))
    return data


def put(message: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(message)
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


def drop(message: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    out = copy.deepcopy(message)
    node = out
    for key in path[:-1]:
        node = node[key]
    node.pop(path[-1], None)
    return out


def check(message: Any, msg_type: str, kind: Kind) -> list[FieldError]:
    """schemas.validate, also asserting that its fast path agrees with jsonschema."""
    compiled = schemas._compiled(msg_type, kind)
    full = list(compiled.validator.iter_errors(message))
    assert compiled.fast(message) == (not full), full
    return schemas.validate(message, msg_type, kind)


def pairs_of(errors: list[FieldError]) -> set[tuple[str, str]]:
    return {(e.path, e.rule) for e in errors}


def assert_only(errors: list[FieldError], path: str, rule: str) -> None:
    """The expected error is reported, and nothing outside the mutated field."""
    assert (path, rule) in pairs_of(errors), errors
    assert {e.path for e in errors} == {path}, errors


def jp(path: tuple[str, ...]) -> str:
    return "$." + ".".join(path)


# --- the files ---------------------------------------------------------------------------


def test_schema_files_are_exactly_the_message_types() -> None:
    names = {p.name for p in (ROOT / "schemas").glob("*.json")}
    assert names == {"common.json"} | {f"{t}.{k}.json" for t, k in PAIRS}
    assert {p.name for p in FIXTURES.glob("*.json")} == {f"{t}.{k}.json" for t, k in PAIRS}
    assert schemas.schema_dir() == ROOT / "schemas"


def _all_schemas() -> dict[str, dict[str, Any]]:
    return {p.name: json.loads(p.read_text("utf-8")) for p in (ROOT / "schemas").glob("*.json")}


def _property_maps(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if isinstance(node.get("properties"), dict):
            found.append(node["properties"])
        for value in node.values():
            found.extend(_property_maps(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_property_maps(value))
    return found


@pytest.mark.parametrize("name", sorted(_all_schemas()))
def test_schema_file_conventions(name: str) -> None:
    schema = _all_schemas()[name]
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"https://ucsp-conformance.local/schemas/{name}"
    text = json.dumps(schema)
    assert "additionalProperties" not in text
    for properties in _property_maps(schema):
        for field, sub in properties.items():
            assert sub.get("x-provenance") in ("seed", "profile"), (name, field)


def test_load_schema_returns_a_copy() -> None:
    schema = schemas.load_schema("SUBMIT_PAYMENT_ORDER", "request")
    assert schema["properties"]["msgInfo"]["properties"]["msgType"]["const"] == (
        "SUBMIT_PAYMENT_ORDER"
    )
    schema["properties"].clear()
    assert schemas.load_schema("SUBMIT_PAYMENT_ORDER", "request")["properties"]


@pytest.mark.parametrize(
    ("msg_type", "kind"),
    [
        ("INDUSTRY_LOGIN_INFO", "response"),
        ("NO_SUCH_TYPE", "request"),
        ("CLOSE_AUTO_DEBIT", "reply"),
    ],
)
def test_unknown_pairs_raise_key_error(msg_type: str, kind: Any) -> None:
    with pytest.raises(KeyError):
        schemas.validate({}, msg_type, kind)
    with pytest.raises(KeyError):
        schemas.load_schema(msg_type, kind)
    with pytest.raises(KeyError):
        schemas.field_rules(msg_type, kind)


# --- samples -----------------------------------------------------------------------------


@pytest.mark.parametrize(("msg_type", "kind"), PAIRS, ids=PAIR_IDS)
def test_sample_is_valid(msg_type: str, kind: Kind) -> None:
    message = sample(msg_type, kind)
    assert check(message, msg_type, kind) == []
    assert message["msgInfo"]["msgType"] == msg_type


@pytest.mark.parametrize(("msg_type", "kind"), PAIRS, ids=PAIR_IDS)
def test_unknown_fields_are_accepted(msg_type: str, kind: Kind) -> None:
    message = sample(msg_type, kind)
    message["extension"] = {"any": [1, 2]}
    message["trxInfo"]["vendorField"] = 7
    message["msgInfo"]["x"] = None
    message["certificateSignature"]["note"] = "\u00e9"
    assert check(message, msg_type, kind) == []


@pytest.mark.parametrize("value", ["text", 12, None, [], ["msgInfo"]])
def test_a_message_must_be_an_object(value: Any) -> None:
    assert pairs_of(check(value, "SUBMIT_PAYMENT_ORDER", "request")) == {("$", "type")}


@pytest.mark.parametrize("container", ["msgInfo", "trxInfo", "certificateSignature"])
def test_containers_must_be_objects(container: str) -> None:
    message = put(sample("CLOSE_AUTO_DEBIT", "request"), (container,), ["x"])
    assert pairs_of(check(message, "CLOSE_AUTO_DEBIT", "request")) == {(f"$.{container}", "type")}


# --- every leaf field: type, lengths, value class, presence, enumeration -------------------

RULES: list[tuple[str, Kind, FieldRule]] = [
    (t, k, rule) for t, k in PAIRS for rule in schemas.field_rules(t, k)
]
RULE_IDS = [f"{t}.{k}:{'.'.join(rule.path)}" for t, k, rule in RULES]
WIRE_RULES = [(t, k, r) for t, k, r in RULES if not r.encrypted]
WIRE_IDS = [f"{t}.{k}:{'.'.join(r.path)}" for t, k, r in WIRE_RULES]
FILLER = {"AN": "A", "ANS": "a", "N": "1"}
OUTSIDE = {"AN": "-", "ANS": "\u00e9", "N": "A"}


def test_field_rules_cover_every_message() -> None:
    assert {(t, k) for t, k, _ in RULES} == set(PAIRS)
    for _, _, rule in RULES:
        assert rule.value_class in ("AN", "ANS", "N"), rule
        assert rule.provenance in ("seed", "profile"), rule
        assert rule.presence in ("M", "O", "C"), rule


@pytest.mark.parametrize(("msg_type", "kind", "rule"), RULES, ids=RULE_IDS)
@pytest.mark.parametrize("value", [12345, 1.5, True, None, {"x": "y"}])
def test_number_or_other_json_type_instead_of_string(
    msg_type: str, kind: Kind, rule: FieldRule, value: Any
) -> None:
    errors = check(put(sample(msg_type, kind), rule.path, value), msg_type, kind)
    assert_only(errors, jp(rule.path), "type")
    assert [e.provenance for e in errors if e.rule == "type"] == [rule.provenance]
    if not rule.enum:  # an enumerated field also reports the enum / const
        assert len(errors) == 1


def _having(attribute: str) -> pytest.MarkDecorator:
    chosen = [(t, k, r) for t, k, r in WIRE_RULES if getattr(r, attribute)]
    ids = [f"{t}.{k}:{'.'.join(r.path)}" for t, k, r in chosen]
    return pytest.mark.parametrize(("msg_type", "kind", "rule"), chosen, ids=ids)


@_having("max_length")
def test_too_long(msg_type: str, kind: Kind, rule: FieldRule) -> None:
    assert rule.max_length is not None
    value = FILLER[rule.value_class] * (rule.max_length + 1)
    errors = check(put(sample(msg_type, kind), rule.path, value), msg_type, kind)
    assert_only(errors, jp(rule.path), "maxLength")
    assert [e.provenance for e in errors if e.rule == "maxLength"] == [rule.provenance]


@_having("min_length")
def test_too_short(msg_type: str, kind: Kind, rule: FieldRule) -> None:
    assert rule.min_length is not None
    value = FILLER[rule.value_class] * (rule.min_length - 1)
    errors = check(put(sample(msg_type, kind), rule.path, value), msg_type, kind)
    assert_only(errors, jp(rule.path), "minLength")
    assert [e.provenance for e in errors if e.rule == "minLength"] == [rule.provenance]


@pytest.mark.parametrize(("msg_type", "kind", "rule"), WIRE_RULES, ids=WIRE_IDS)
@pytest.mark.parametrize("where", ["first", "trailing-newline"])
def test_character_outside_value_class(
    msg_type: str, kind: Kind, rule: FieldRule, where: str
) -> None:
    size = max(rule.min_length or 1, 1)
    good = FILLER[rule.value_class] * size
    value = OUTSIDE[rule.value_class] + good[1:] if where == "first" else good[:-1] + "\n"
    errors = check(put(sample(msg_type, kind), rule.path, value), msg_type, kind)
    assert_only(errors, jp(rule.path), "pattern")


@pytest.mark.parametrize(("msg_type", "kind", "rule"), RULES, ids=RULE_IDS)
def test_missing_field(msg_type: str, kind: Kind, rule: FieldRule) -> None:
    message = drop(sample(msg_type, kind), rule.path)
    errors = check(message, msg_type, kind)
    if rule.presence == "M" or (rule.presence == "C" and kind == "response"):
        # the response samples carry code 00, which makes their C fields mandatory
        assert pairs_of(errors) == {(jp(rule.path), "required")}
        assert errors[0].provenance == rule.provenance
    elif rule.presence == "O":
        assert errors == []
    else:
        assert msg_type == "PAYMENT_RESULT_NOTICE"  # request C rules: tested below


@pytest.mark.parametrize(
    ("msg_type", "kind", "rule"),
    [(t, k, r) for t, k, r in RULES if r.enum],
    ids=[i for i, (_, _, r) in zip(RULE_IDS, RULES, strict=True) if r.enum],
)
def test_value_outside_enumeration(msg_type: str, kind: Kind, rule: FieldRule) -> None:
    assert rule.enum is not None
    size = rule.min_length or 1
    candidates = (str(n).zfill(size)[-size:] for n in range(100)) if rule.value_class == "N" else ()
    value = next((c for c in candidates if c not in rule.enum), "X" * size)
    assert value not in rule.enum
    errors = check(put(sample(msg_type, kind), rule.path, value), msg_type, kind)
    assert pairs_of(errors) == {(jp(rule.path), "const" if len(rule.enum) == 1 else "enum")}


def test_enumerations() -> None:
    def enum_of(msg_type: str, kind: Kind, path: tuple[str, ...]) -> tuple[str, ...] | None:
        return next(r.enum for r in schemas.field_rules(msg_type, kind) if r.path == path)

    codes = ("00", "01", "05", "10", "11", "34", "36", "99")
    assert enum_of("CLOSE_AUTO_DEBIT", "response", ("msgResponse", "responseCode")) == codes
    assert enum_of("PAYMENT_RESULT_NOTICE", "request", ("trxInfo", "txnType")) == (
        "PAYMENT",
        "AUTO_DEBIT",
        "CANCELLATION",
        "REFUND",
    )
    assert enum_of("PAYMENT_RESULT_NOTICE", "request", ("trxInfo", "txnStatus")) == ("00", "01")
    assert enum_of("REFUND_RESULT_INQUIRY", "response", ("trxInfo", "txnStatus")) == (
        "00",
        "01",
        "05",
    )
    assert enum_of("SIGN_AUTO_DEBIT_NOTICE", "request", ("trxInfo", "signStatus")) == ("00", "01")
    assert enum_of("SIGN_AUTO_DEBIT", "request", ("msgInfo", "msgType")) == ("SIGN_AUTO_DEBIT",)
    assert enum_of("SIGN_AUTO_DEBIT", "request", ("msgInfo", "versionNo")) == ("1.0.0",)


@pytest.mark.parametrize(("msg_type", "kind"), PAIRS, ids=PAIR_IDS)
def test_msg_type_of_another_interface(msg_type: str, kind: Kind) -> None:
    other = "CLOSE_AUTO_DEBIT" if msg_type != "CLOSE_AUTO_DEBIT" else "SIGN_AUTO_DEBIT"
    errors = check(put(sample(msg_type, kind), ("msgInfo", "msgType"), other), msg_type, kind)
    assert pairs_of(errors) == {("$.msgInfo.msgType", "const")}
    assert errors[0].provenance == "profile"  # the interface-name rule is [profile]


# --- presence rules of the tables ----------------------------------------------------------


def _presence(msg_type: str, kind: Kind) -> dict[str, str]:
    return {".".join(r.path): r.presence for r in schemas.field_rules(msg_type, kind)}


def test_presence_as_in_the_tables() -> None:
    assert _presence("SUBMIT_PAYMENT_ORDER", "request") == {
        "msgInfo.versionNo": "M",
        "msgInfo.msgID": "M",
        "msgInfo.timeStamp": "M",
        "msgInfo.msgType": "M",
        "msgInfo.industryCode": "M",
        "trxInfo.orderId": "M",
        "trxInfo.merId": "M",
        "trxInfo.acqIIN": "M",
        "trxInfo.txnAmt": "M",
        "trxInfo.currencyCode": "M",
        "trxInfo.txnTime": "M",
        "trxInfo.orderDesc": "O",
        "trxInfo.backUrl": "O",
        "trxInfo.frontUrl": "O",
        "certificateSignature.ucspSignCertID": "O",
        "certificateSignature.appSignCertID": "M",
        "certificateSignature.signature": "M",
    }
    response = _presence("SUBMIT_PAYMENT_ORDER", "response")
    assert response["trxInfo.orderId"] == "M"
    assert response["trxInfo.tn"] == response["trxInfo.paymentUrl"] == "C"
    assert response["msgResponse.responseCode"] == "M"
    assert response["msgResponse.responseMsg"] == "O"
    assert response["certificateSignature.ucspSignCertID"] == "M"
    notice = _presence("PAYMENT_RESULT_NOTICE", "request")
    assert notice["trxInfo.origQryId"] == notice["trxInfo.contractId"] == "C"
    assert notice["certificateSignature.ucspSignCertID"] == "M"
    login = _presence("INDUSTRY_LOGIN_INFO", "request")
    assert login["certificateSignature.appEncCertID"] == "M"
    assert login["certificateSignature.appSignCertID"] == "O"
    assert _presence("PAYMENT_RESULT_NOTICE", "response")["certificateSignature.appSignCertID"] == (
        "M"
    )


@pytest.mark.parametrize(("msg_type", "kind"), PAIRS, ids=PAIR_IDS)
def test_signer_cert_id_is_mandatory(msg_type: str, kind: Kind) -> None:
    spec = MESSAGE_TYPES[msg_type]
    signer = spec.sender if kind == "request" else spec.receiver
    field = "ucspSignCertID" if signer is Party.UCSP else "appSignCertID"
    errors = check(drop(sample(msg_type, kind), ("certificateSignature", field)), msg_type, kind)
    assert pairs_of(errors) == {(f"$.certificateSignature.{field}", "required")}
    # the other party's ID is accepted (and ignored by receivers)
    other = "appSignCertID" if field == "ucspSignCertID" else "ucspSignCertID"
    message = put(sample(msg_type, kind), ("certificateSignature", other), "123456789")
    assert check(message, msg_type, kind) == []


@pytest.mark.parametrize(
    ("msg_type", "kind"),
    [p for p in PAIRS if p != ("INDUSTRY_LOGIN_INFO", "request")],
    ids=[
        i for p, i in zip(PAIRS, PAIR_IDS, strict=True) if p != ("INDUSTRY_LOGIN_INFO", "request")
    ],
)
def test_app_enc_cert_id_is_forbidden_without_an_encrypted_field(msg_type: str, kind: Kind) -> None:
    message = put(sample(msg_type, kind), ("certificateSignature", "appEncCertID"), "1234567")
    errors = check(message, msg_type, kind)
    assert pairs_of(errors) == {("$.certificateSignature.appEncCertID", "forbidden")}
    assert errors[0].provenance == "seed"
    assert schemas.forbidden_fields(msg_type, kind) == [("certificateSignature", "appEncCertID")]
    assert schemas.encrypted_fields(msg_type, kind) == []


def test_login_needs_app_enc_cert_id() -> None:
    assert schemas.forbidden_fields("INDUSTRY_LOGIN_INFO", "request") == []
    message = drop(
        sample("INDUSTRY_LOGIN_INFO", "request"), ("certificateSignature", "appEncCertID")
    )
    errors = check(message, "INDUSTRY_LOGIN_INFO", "request")
    assert pairs_of(errors) == {("$.certificateSignature.appEncCertID", "required")}


# --- response C rules and code 10 ----------------------------------------------------------


def _with_code(message: dict[str, Any], code: str) -> dict[str, Any]:
    return put(message, ("msgResponse", "responseCode"), code)


def test_approved_order_answer_needs_tn_and_payment_url() -> None:
    message = drop(
        drop(sample("SUBMIT_PAYMENT_ORDER", "response"), ("trxInfo", "tn")),
        ("trxInfo", "paymentUrl"),
    )
    errors = check(message, "SUBMIT_PAYMENT_ORDER", "response")
    assert pairs_of(errors) == {("$.trxInfo.tn", "required"), ("$.trxInfo.paymentUrl", "required")}
    assert {e.provenance for e in errors} == {"seed"}
    for code in ("01", "11", "36", "99"):
        assert check(_with_code(message, code), "SUBMIT_PAYMENT_ORDER", "response") == []


@pytest.mark.parametrize(("msg_type", "kind"), [p for p in PAIRS if p[1] == "response"])
def test_c_fields_optional_unless_approved(msg_type: str, kind: Kind) -> None:
    message = _with_code(sample(msg_type, kind), "05")
    for rule in schemas.field_rules(msg_type, kind):
        if rule.presence == "C":
            message = drop(message, rule.path)
    assert check(message, msg_type, kind) == []


@pytest.mark.parametrize(("msg_type", "kind"), [p for p in PAIRS if p[1] == "response"])
def test_m_fields_required_for_every_code_but_10(msg_type: str, kind: Kind) -> None:
    mandatory = [
        r.path
        for r in schemas.field_rules(msg_type, kind)
        if r.presence == "M" and r.path[0] in ("msgInfo", "trxInfo")
    ]
    stripped = sample(msg_type, kind)
    for path in mandatory:
        stripped = drop(stripped, path)
    expected = {(jp(p), "required") for p in mandatory}
    for code in ("00", "01", "05", "11", "34", "36", "99"):
        errors = check(_with_code(stripped, code), msg_type, kind)
        assert expected <= pairs_of(errors)
    assert check(_with_code(stripped, "10"), msg_type, kind) == []


@pytest.mark.parametrize(("msg_type", "kind"), [p for p in PAIRS if p[1] == "response"])
@pytest.mark.parametrize("echo", [{}, {"msgType": "UNKNOWN"}, {"msgID": 5, "versionNo": "9"}])
def test_code_10_answer_may_echo_a_malformed_msg_info(
    msg_type: str, kind: Kind, echo: dict[str, Any]
) -> None:
    message = put(_with_code(sample(msg_type, kind), "10"), ("msgInfo",), echo)
    message["trxInfo"] = {}
    assert check(message, msg_type, kind) == []
    # still a JSON object, and the rest of the envelope is checked
    assert pairs_of(check(put(message, ("msgInfo",), "x"), msg_type, kind)) == {
        ("$.msgInfo", "type")
    }
    errors = check(drop(message, ("certificateSignature", "signature")), msg_type, kind)
    assert pairs_of(errors) == {("$.certificateSignature.signature", "required")}
    # with another code, the same echo is a violation
    assert check(_with_code(message, "99"), msg_type, kind) != []


def test_response_without_code_is_checked_strictly() -> None:
    message = drop(sample("CLOSE_AUTO_DEBIT", "response"), ("msgResponse", "responseCode"))
    message = drop(message, ("trxInfo", "contractId"))
    errors = check(message, "CLOSE_AUTO_DEBIT", "response")
    assert pairs_of(errors) == {
        ("$.msgResponse.responseCode", "required"),
        ("$.trxInfo.contractId", "required"),
    }
    assert {e.path: e.provenance for e in errors}["$.msgResponse.responseCode"] == "profile"


# --- PAYMENT_RESULT_NOTICE C rules ---------------------------------------------------------


@pytest.mark.parametrize(
    ("txn_type", "needed"),
    [
        ("PAYMENT", ()),
        ("AUTO_DEBIT", ("contractId",)),
        ("CANCELLATION", ("origQryId",)),
        ("REFUND", ("origQryId",)),
    ],
)
def test_notice_conditional_fields(txn_type: str, needed: tuple[str, ...]) -> None:
    notice = put(sample("PAYMENT_RESULT_NOTICE", "request"), ("trxInfo", "txnType"), txn_type)
    errors = check(notice, "PAYMENT_RESULT_NOTICE", "request")
    assert pairs_of(errors) == {(f"$.trxInfo.{f}", "required") for f in needed}
    assert {e.provenance for e in errors} <= {"seed"}
    complete = put(notice, ("trxInfo", "origQryId"), "UQ2025031009000000007")
    complete = put(complete, ("trxInfo", "contractId"), "CTR2025031400000001")
    assert check(complete, "PAYMENT_RESULT_NOTICE", "request") == []


# --- values: txnAmt, date-times, msgID -----------------------------------------------------

AMOUNT_TYPES = [
    (t, k)
    for t, k in PAIRS
    if any(r.path == ("trxInfo", "txnAmt") for r in schemas.field_rules(t, k))
]


@pytest.mark.parametrize(("msg_type", "kind"), AMOUNT_TYPES)
@pytest.mark.parametrize(
    ("amount", "rules"),
    [
        ("1", set()),
        ("0100", set()),
        ("000000000001", set()),
        ("999999999999", set()),
        ("0", {"pattern"}),
        ("000", {"pattern"}),
        ("1234567890123", {"maxLength"}),
        ("", {"minLength", "pattern"}),
        ("12.50", {"pattern"}),
        ("-100", {"pattern"}),
        (" 100", {"pattern"}),
        ("100\n", {"pattern"}),
        ("１００", {"pattern"}),
    ],
)
def test_txn_amt(msg_type: str, kind: Kind, amount: str, rules: set[str]) -> None:
    errors = check(put(sample(msg_type, kind), ("trxInfo", "txnAmt"), amount), msg_type, kind)
    assert pairs_of(errors) == {("$.trxInfo.txnAmt", r) for r in rules}


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("20240229235959", True),
        ("20250101000000", True),
        ("20250229120000", False),
        ("20250230120000", False),
        ("20251301120000", False),
        ("20250001120000", False),
        ("20250100120000", False),
        ("20250101240000", False),
        ("20250101126000", False),
        ("20250101120060", False),
        ("00000101120000", False),
    ],
)
@pytest.mark.parametrize(
    ("msg_type", "path"),
    [
        ("SUBMIT_PAYMENT_ORDER", ("msgInfo", "timeStamp")),
        ("SUBMIT_PAYMENT_ORDER", ("trxInfo", "txnTime")),
        ("PAYMENT_RESULT_NOTICE", ("trxInfo", "txnTime")),
        ("PAYMENT_REFUND", ("trxInfo", "txnTime")),
    ],
)
def test_calendar_date_times(msg_type: str, path: tuple[str, ...], value: str, valid: bool) -> None:
    errors = check(put(sample(msg_type, "request"), path, value), msg_type, "request")
    assert pairs_of(errors) == (set() if valid else {(jp(path), "format")})


@pytest.mark.parametrize(
    ("stamp", "valid"),
    [
        ("20240229235959", True),
        ("20250229120000", False),
        ("20250431000000", False),
        ("20250101250000", False),
    ],
)
@pytest.mark.parametrize(("msg_type", "kind"), PAIRS, ids=PAIR_IDS)
def test_calendar_date_in_msg_id(msg_type: str, kind: Kind, stamp: str, valid: bool) -> None:
    message = sample(msg_type, kind)
    msg_id = message["msgInfo"]["msgID"]
    message["msgInfo"]["msgID"] = msg_id[:9] + stamp + msg_id[23:]
    errors = check(message, msg_type, kind)
    assert pairs_of(errors) == (set() if valid else {("$.msgInfo.msgID", "format")})


@pytest.mark.parametrize(("msg_type", "kind"), PAIRS, ids=PAIR_IDS)
def test_msg_id_prefix(msg_type: str, kind: Kind) -> None:
    message = sample(msg_type, kind)
    msg_id = message["msgInfo"]["msgID"]
    originator = MESSAGE_TYPES[msg_type].sender  # a response echoes the requester's msgID
    assert msg_id[0] == originator.msgid_prefix
    assert msg_id[1:9] == message["msgInfo"]["industryCode"]
    for wrong in ("U" if msg_id[0] == "A" else "A", "B", "a"):
        errors = check(put(message, ("msgInfo", "msgID"), wrong + msg_id[1:]), msg_type, kind)
        assert pairs_of(errors) == {("$.msgInfo.msgID", "pattern")}
        # A for IS-originated exchanges is seed; U for UCSP-originated ones is profile
        assert errors[0].provenance == ("seed" if originator is Party.INDUSTRY else "profile")


@pytest.mark.parametrize(("msg_type", "kind"), PAIRS, ids=PAIR_IDS)
def test_msg_id_must_carry_the_industry_code(msg_type: str, kind: Kind) -> None:
    message = put(sample(msg_type, kind), ("msgInfo", "industryCode"), "OTHER001")
    errors = check(message, msg_type, kind)
    assert pairs_of(errors) == {("$.msgInfo.msgID", "msgid-industry")}
    assert errors[0].provenance == "seed"
    if kind == "response":  # a code-10 answer may echo the mismatch
        assert check(_with_code(message, "10"), msg_type, kind) == []


@pytest.mark.parametrize(
    ("msg_id", "rules"),
    [
        ("AINDU00012025031409301548291", {"minLength", "pattern"}),
        ("AINDU0001202503140930154829130", {"maxLength", "pattern"}),
        ("AINDU0001202503140930154829X3", {"pattern"}),
        ("AINDU-001202503140930154829X3", {"pattern"}),
    ],
)
def test_msg_id_shape(msg_id: str, rules: set[str]) -> None:
    message = put(sample("SUBMIT_PAYMENT_ORDER", "request"), ("msgInfo", "msgID"), msg_id)
    errors = check(message, "SUBMIT_PAYMENT_ORDER", "request")
    assert pairs_of(errors) == {("$.msgInfo.msgID", r) for r in rules}


def test_version_number_rule_is_profile() -> None:
    message = put(sample("SUBMIT_PAYMENT_ORDER", "request"), ("msgInfo", "versionNo"), "1.0.1")
    errors = check(message, "SUBMIT_PAYMENT_ORDER", "request")
    assert errors == [FieldError("$.msgInfo.versionNo", "const", "profile", "'1.0.0' was expected")]


# --- provenance ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("msg_type", "kind", "path", "provenance"),
    [
        ("SUBMIT_PAYMENT_ORDER", "response", "trxInfo.tn", "seed"),
        ("SUBMIT_PAYMENT_ORDER", "response", "trxInfo.paymentUrl", "seed"),
        ("SUBMIT_PAYMENT_ORDER", "request", "trxInfo.orderDesc", "profile"),
        ("SUBMIT_PAYMENT_ORDER", "request", "trxInfo.orderId", "seed"),
        ("SUBMIT_PAYMENT_ORDER", "request", "trxInfo.txnAmt", "seed"),
        ("SUBMIT_PAYMENT_ORDER", "request", "msgInfo.msgID", "seed"),
        ("SUBMIT_PAYMENT_ORDER", "request", "certificateSignature.signature", "seed"),
        ("SUBMIT_PAYMENT_ORDER", "response", "msgResponse.responseCode", "profile"),
        ("SUBMIT_PAYMENT_ORDER", "response", "msgResponse.responseMsg", "profile"),
        ("PAYMENT_RESULT_NOTICE", "request", "trxInfo.txnType", "profile"),
        ("PAYMENT_RESULT_NOTICE", "request", "trxInfo.queryId", "profile"),
        ("PAYMENT_RESULT_NOTICE", "request", "trxInfo.origQryId", "seed"),
        ("SIGN_AUTO_DEBIT", "response", "trxInfo.signUrl", "profile"),
        ("SIGN_AUTO_DEBIT_NOTICE", "request", "trxInfo.contractId", "seed"),
        ("SIGN_AUTO_DEBIT_NOTICE", "request", "trxInfo.signStatus", "profile"),
        ("INDUSTRY_LOGIN_INFO", "request", "trxInfo.mobile", "seed"),
        ("INDUSTRY_LOGIN_INFO", "request", "msgInfo.msgType", "seed"),
    ],
)
def test_field_provenance(msg_type: str, kind: Kind, path: str, provenance: str) -> None:
    rules = {".".join(r.path): r for r in schemas.field_rules(msg_type, kind)}
    assert rules[path].provenance == provenance


def test_field_error_text() -> None:
    message = put(sample("SUBMIT_PAYMENT_ORDER", "request"), ("trxInfo", "orderDesc"), "d" * 129)
    [error] = check(message, "SUBMIT_PAYMENT_ORDER", "request")
    assert (error.path, error.rule, error.provenance) == (
        "$.trxInfo.orderDesc",
        "maxLength",
        "profile",
    )
    assert str(error).startswith("$.trxInfo.orderDesc: maxLength [profile] - 'ddd")
    assert len(error.message) <= 200


def test_errors_are_sorted_and_deterministic() -> None:
    message = sample("SUBMIT_AUTO_DEBIT", "request")
    message["trxInfo"] = {"txnAmt": 5, "orderId": "x"}
    message["msgInfo"]["versionNo"] = "2"
    first = check(message, "SUBMIT_AUTO_DEBIT", "request")
    assert first == sorted(first, key=lambda e: (e.path, e.rule, e.message, e.provenance))
    assert first == check(copy.deepcopy(message), "SUBMIT_AUTO_DEBIT", "request")
    assert ("$.trxInfo.contractId", "required") in pairs_of(first)
    assert ("$.trxInfo.txnAmt", "type") in pairs_of(first)


# --- encrypted field -------------------------------------------------------------------------


def test_encrypted_fields() -> None:
    assert schemas.encrypted_fields("INDUSTRY_LOGIN_INFO", "request") == [("trxInfo", "mobile")]
    [mobile] = [r for r in schemas.field_rules("INDUSTRY_LOGIN_INFO", "request") if r.encrypted]
    assert (mobile.value_class, mobile.min_length, mobile.max_length) == ("ANS", 1, 64)
    for msg_type, kind in PAIRS:
        if msg_type != "INDUSTRY_LOGIN_INFO":
            assert schemas.encrypted_fields(msg_type, kind) == []


@pytest.mark.parametrize(
    ("value", "rules"),
    [
        ("13800138000", set()),
        ("+86 138-0013-8000", set()),
        ("8" * 64, set()),
        ("", {"minLength"}),
        ("8" * 65, {"maxLength"}),
        ("138\u00e90013", {"pattern"}),
        ("1380013800\n", {"pattern"}),
        ("\x00", {"pattern"}),
    ],
)
def test_validate_plain_mobile(value: str, rules: set[str]) -> None:
    errors = schemas.validate_plain("INDUSTRY_LOGIN_INFO", ("trxInfo", "mobile"), value)
    assert pairs_of(errors) == {("$.trxInfo.mobile", r) for r in rules}
    assert {e.provenance for e in errors} <= {"seed"}


def test_validate_plain_needs_an_encrypted_field() -> None:
    with pytest.raises(KeyError):
        schemas.validate_plain("INDUSTRY_LOGIN_INFO", ("trxInfo", "userId"), "u")
    with pytest.raises(KeyError):
        schemas.validate_plain("SUBMIT_PAYMENT_ORDER", ("trxInfo", "mobile"), "1")


@pytest.mark.parametrize(
    ("wire", "valid"),
    [
        ("QUJD", True),
        ("QUI=", True),
        ("QQ==", True),
        ("QUJD\n", False),
        ("QUJ", False),
        ("QU=D", False),
        ("QQ", False),
    ],
)
def test_encrypted_field_is_base64_on_the_wire(wire: str, valid: bool) -> None:
    message = put(sample("INDUSTRY_LOGIN_INFO", "request"), ("trxInfo", "mobile"), wire)
    errors = check(message, "INDUSTRY_LOGIN_INFO", "request")
    if valid:
        assert errors == []
    else:
        assert {e.path for e in errors} == {"$.trxInfo.mobile"}
        assert {e.rule for e in errors} <= {"pattern", "minLength"}


# --- cost --------------------------------------------------------------------------------------


def test_validation_is_cheap() -> None:
    message = sample("SUBMIT_PAYMENT_ORDER", "request")
    schemas.validate(message, "SUBMIT_PAYMENT_ORDER", "request")
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(200):
            schemas.validate(message, "SUBMIT_PAYMENT_ORDER", "request")
        best = min(best, (time.perf_counter() - start) / 200)
    assert best < 300e-6, f"{best * 1e6:.0f} us per validation"


def test_notice_types_are_signed_by_ucsp() -> None:
    for msg_type in NOTICE_TYPES:
        assert sample(msg_type, "request")["msgInfo"]["msgID"].startswith("U")
        assert "ucspSignCertID" in sample(msg_type, "request")["certificateSignature"]
        assert "appSignCertID" in sample(msg_type, "response")["certificateSignature"]


# --- the reference validator, its references inlined --------------------------------------


def _errors_without_inlining(message: Any, msg_type: str, kind: Kind) -> list[FieldError]:
    """What :func:`schemas.validate` reports, from a validator that resolves each ``$ref``."""
    compiled = schemas._compiled(msg_type, kind)
    schema = schemas._files()[f"{msg_type}.{kind}.json"]
    validator = Draft202012Validator(
        schema, registry=schemas._registry(), format_checker=schemas.FORMAT_CHECKER
    )
    seen: set[tuple[str, ...]] = set()
    errors = [
        found
        for error in validator.iter_errors(message)
        for found in compiled.field_errors(error, seen)
    ]
    errors.extend(compiled.msgid_errors(message))
    return sorted(set(errors), key=lambda e: (e.path, e.rule, e.message, e.provenance))


@pytest.mark.parametrize(("msg_type", "kind"), PAIRS, ids=PAIR_IDS)
def test_inlined_references_report_the_same_errors(msg_type: str, kind: Kind) -> None:
    message = sample(msg_type, kind)
    broken = [m.apply(message) for m in field_mutations(message, msg_type, kind)]
    assert broken
    for candidate in broken:
        assert check(candidate, msg_type, kind) == _errors_without_inlining(
            candidate, msg_type, kind
        )


def test_a_recursive_reference_is_kept() -> None:
    schema = {
        "$id": "https://ucsp.test/tree.json",
        "$defs": {
            "node": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "maxLength": 2},
                    "kids": {"type": "array", "items": {"$ref": "#/$defs/node"}},
                },
            }
        },
        "$ref": "#/$defs/node",
    }
    tree = {"name": "abc", "kids": [{"name": "ok", "kids": [{"name": "long"}]}]}
    inlined = schemas._validator(schema)
    plain = Draft202012Validator(schema)
    assert sorted(e.message for e in inlined.iter_errors(tree)) == sorted(
        e.message for e in plain.iter_errors(tree)
    )
    assert len(list(inlined.iter_errors(tree))) == 2


def test_a_reference_resolves_against_its_own_schema_id() -> None:
    schema = {
        "$id": "https://ucsp.test/a/root.json",
        "type": "object",
        "properties": {
            "x": {
                "$id": "https://ucsp.test/b/inner.json",
                "$defs": {"short": {"type": "string", "maxLength": 1}},
                "properties": {"y": {"$ref": "#/$defs/short"}},
            }
        },
    }
    errors = list(schemas._validator(schema).iter_errors({"x": {"y": "long"}}))
    assert [(e.validator, e.message) for e in errors] == [("maxLength", "'long' is too long")]
