"""Open Badges 3.0, checked by code we did not write: every kind of credential we issue passes
1EdTech's official JSON schema (tests/fixtures/ob_v3p0_achievementcredential_schema.md says
where it comes from), and its signature verifies with an eddsa-jcs-2022 verifier written here
from the W3C spec (vc-di-eddsa) on top of the ``jcs`` package (RFC 8785) and ``cryptography``,
sharing nothing with academy/certificates/credentials.py."""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import timedelta
from pathlib import Path

import jcs
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from jsonschema import Draft201909Validator

from academy.certificates.services import reissue, revoke
from academy.core.models import utcnow
from academy.extensions import db

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "ob_v3p0_achievementcredential_schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
BASE58BTC = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
ED25519_PUB_MULTICODEC = b"\xed\x01"


def validator(schema: dict) -> Draft201909Validator:
    # The schema declares draft 2019-09; formats (date-time, uri, …) are only annotations
    # unless a format checker is given, so give it one.
    assert SCHEMA["$schema"].startswith("https://json-schema.org/draft/2019-09/")
    return Draft201909Validator(schema, format_checker=Draft201909Validator.FORMAT_CHECKER)


def part_of_schema(pointer: str) -> dict:
    """One of the schema's definitions as a schema of its own (its $defs still resolve);
    ``#/$defs/ProofSet`` is what the credential's ``proof`` property must be."""
    defs = {**SCHEMA["$defs"], "ProofSet": SCHEMA["properties"]["proof"]}
    return {"$schema": SCHEMA["$schema"], "$defs": defs, "$ref": pointer}


def schema_errors(document, schema: dict = SCHEMA) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
            for e in validator(schema).iter_errors(document)]


# --- eddsa-jcs-2022, from the spec ---------------------------------------------------------


def base58btc_decode(text: str) -> bytes:
    number = 0
    for char in text:
        number = number * 58 + BASE58BTC.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\x00" * (len(text) - len(text.lstrip("1"))) + body


def multibase_base58btc(value: str) -> bytes:
    assert value.startswith("z"), "base58btc multibase values start with 'z'"
    return base58btc_decode(value[1:])


def public_key_of(issuer_profile: dict, verification_method: str) -> Ed25519PublicKey:
    """The Multikey the issuer publishes under this id (and lists for assertions)."""
    assert verification_method in issuer_profile["assertionMethod"]
    (method,) = [m for m in issuer_profile["verificationMethod"] if m["id"] == verification_method]
    assert method["type"] == "Multikey" and method["controller"] == issuer_profile["id"]
    assert method["publicKeyMultibase"].startswith("z6Mk")  # how every Ed25519 Multikey reads
    raw = multibase_base58btc(method["publicKeyMultibase"])
    assert raw[:2] == ED25519_PUB_MULTICODEC and len(raw) == 34
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def verify_eddsa_jcs_2022(secured: dict, issuer_profile: dict) -> None:
    """vc-di-eddsa §3.3 (eddsa-jcs-2022): for each proof, the proof configuration (the proof
    without proofValue, with the document's @context) and the document without ``proof``
    are canonicalised with JCS and hashed with SHA-256; the signature is over the two hashes
    concatenated. Raises InvalidSignature (or AssertionError for a malformed proof)."""
    proofs = secured["proof"]
    assert isinstance(proofs, list) and proofs, "the proof is a set of proofs"
    unsecured = {k: v for k, v in secured.items() if k != "proof"}
    for proof in proofs:
        assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-jcs-2022"
        assert proof["proofPurpose"] == "assertionMethod"
        config = {k: v for k, v in proof.items() if k != "proofValue"}
        if "@context" in unsecured:
            config["@context"] = unsecured["@context"]
        hash_data = (hashlib.sha256(jcs.canonicalize(config)).digest()
                     + hashlib.sha256(jcs.canonicalize(unsecured)).digest())
        signature = multibase_base58btc(proof["proofValue"])
        assert len(signature) == 64
        public_key_of(issuer_profile, proof["verificationMethod"]).verify(signature, hash_data)


# --- the credentials ------------------------------------------------------------------------


@pytest.fixture
def every_kind_of_credential(client, make_user, issue):
    """Credentials of each kind we issue, as served to anyone who has the verification link."""
    admin = make_user("admin")
    issued_at = utcnow() - timedelta(days=30)
    certs = {
        "course, English, whole hours": issue(make_user(full_name="Wanjiku Mwangi")),
        "course, French, half hours": issue(make_user(full_name="Chloé Dubois"), language="fr", hours=1.5),
        "course, Arabic, no hours": issue(make_user(full_name="ليلى حداد"), language="ar", hours=None,
                                          titles={"ar": "البحث في معلومات البراءات", "en": "Patent search"}),
        "course, Chinese": issue(make_user(full_name="王小明"), language="zh", titles={"zh": "专利信息"}),
        "certification, Russian, expires": issue(
            make_user(full_name="Ольга Иванова"), kind="certification", subject_code="TISC-ADV", language="ru",
            titles={"ru": "Сертификация специалистов ЦПТИ", "en": "TISC specialist"}, hours=40.5,
            issued_at=issued_at, expires_at=issued_at + timedelta(days=730)),
        "expired certification": issue(
            make_user(full_name="Ama Mensah"), kind="certification", subject_code="TISC-ADV",
            issued_at=utcnow() - timedelta(days=800), expires_at=utcnow() - timedelta(days=70)),
    }
    revoked = issue(make_user(full_name="Mallory Smith"))
    revoke(revoked, reason="Plagiarised final exam", actor=admin)
    certs["revoked"] = revoked
    old = issue(make_user(full_name="Jon Smiht"), language="pt", titles={"pt": "Informação de patentes"})
    old.user.full_name = "Jon Smith"
    certs["re-issued (new)"] = reissue(old, reason="Name corrected")
    certs["re-issued (superseded)"] = old
    db.session.commit()
    return {label: client.get(f"/verify/{cert.verification_code}/credential.json").get_json()
            for label, cert in certs.items()}


def test_every_kind_of_credential_passes_1edtechs_open_badges_schema(every_kind_of_credential):
    errors = {label: schema_errors(doc) for label, doc in every_kind_of_credential.items()}
    assert {label: errs for label, errs in errors.items() if errs} == {}


def test_the_schema_check_would_catch_a_broken_credential(every_kind_of_credential):
    """The check is live: the faults 1EdTech's schema found before are still caught."""
    doc = copy.deepcopy(every_kind_of_credential["course, English, whole hours"])
    doc["proof"] = doc["proof"][0]
    doc["credentialSubject"]["achievement"]["creditsAvailable"] = "12"
    doc["validFrom"] = "yesterday"
    problems = "\n".join(schema_errors(doc))
    assert "proof" in problems and "creditsAvailable" in problems and "validFrom" in problems


def test_hours_are_a_number_of_credits(every_kind_of_credential):
    achievement = {label: doc["credentialSubject"]["achievement"] for label, doc in every_kind_of_credential.items()}
    assert achievement["course, English, whole hours"]["creditsAvailable"] == 12
    assert achievement["course, French, half hours"]["creditsAvailable"] == 1.5
    assert achievement["certification, Russian, expires"]["creditsAvailable"] == 40.5
    assert "creditsAvailable" not in achievement["course, Arabic, no hours"]


def test_every_credential_verifies_with_an_independent_eddsa_jcs_2022_verifier(client, every_kind_of_credential):
    profile = client.get("/credentials/issuer").get_json()
    for doc in every_kind_of_credential.values():
        verify_eddsa_jcs_2022(doc, profile)  # raises InvalidSignature if not
        tampered = copy.deepcopy(doc)
        tampered["credentialSubject"]["identifier"][0]["identityHash"] = "Someone Else"
        with pytest.raises(InvalidSignature):
            verify_eddsa_jcs_2022(tampered, profile)


def test_the_issuer_profile_passes_the_schemas_profile_rules(client):
    profile = client.get("/credentials/issuer").get_json()
    assert schema_errors(profile, part_of_schema("#/$defs/Profile")) == []


def test_the_status_list_is_signed_the_same_way(client, every_kind_of_credential):
    status_list = client.get("/credentials/status/revocation").get_json()
    # Not an Open Badge, but its proof follows the same rules as the credentials' (a set).
    assert schema_errors(status_list["proof"], part_of_schema("#/$defs/ProofSet")) == []
    verify_eddsa_jcs_2022(status_list, client.get("/credentials/issuer").get_json())


@pytest.mark.parametrize("hours", [12, 12.0, 1.5, 0.5, 99999.9, 40.5])
def test_our_canonical_json_is_rfc_8785_for_the_numbers_we_sign(hours):
    from academy.certificates.credentials import jcs as ours

    doc = {"b": [hours, True, None, "Ольга «Иванова» \u2028 \"x\""], "a": {"z": 1, "Z": 2, "_": 3},
           "creditsAvailable": hours}
    assert ours(doc) == jcs.canonicalize(doc)
