"""Open Badges 3.0 credentials (W3C Verifiable Credentials) signed with Ed25519.

Proofs follow the ``eddsa-jcs-2022`` cryptosuite: the document and the proof options are
canonicalised with JCS (RFC 8785), each hashed with SHA-256, and the concatenation is
signed. Our documents hold only strings, integers, short decimals (hours), booleans, lists
and objects with ASCII keys, for which sorted-key compact JSON *is* JCS once whole floats
are written as integers (``jcs`` refuses anything else). 1EdTech's JSON schema for Open
Badges 3.0 (tests/fixtures) checks the documents' shape: ``proof`` is a list (a proof set)
and ``creditsAvailable`` a number.

The platform key is created on first use under ``INSTANCE_DIR/keys/`` (never in the
repository); the issuer profile with the public key is served at a stable URL, and the
revocation status of every credential is in a Bitstring Status List.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from flask import current_app

from academy.certificates.models import Certificate, CertificateKind

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

# ``cryptography`` is imported where a key is used, not with the app: it adds about 7 MB
# to every process (CLI commands and exports included) that never signs anything.

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
STATUS_LIST_MIN_BITS = 131072  # the spec's minimum, so a list does not reveal how few exist
_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_MULTICODEC_ED25519_PUB = b"\xed\x01"
_keys: dict[str, Ed25519PrivateKey] = {}
_key_lock = threading.Lock()


# --- encodings ------------------------------------------------------------------------


def b58encode(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, rem = divmod(n, 58)
        out = _ALPHABET[rem] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def b58decode(text: str) -> bytes:
    n = 0
    for ch in text:
        n = n * 58 + _ALPHABET.index(ch)
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def _jcs_ready(value):
    """``value`` with whole floats as integers; TypeError for what our subset cannot hold.

    JCS writes numbers as ECMAScript does: 12.0 is ``12``, and 1.5 is ``1.5``, which is also
    Python's shortest repr for any float from 1e-4 up to 1e16 (outside that range Python
    switches to an exponent at other points than ECMAScript, so such floats are refused)."""
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise TypeError("NaN and infinities have no JSON form")
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
        if not 1e-4 <= abs(value) < 1e16:
            raise TypeError(f"{value!r}: outside the range where JCS and Python write floats alike")
        return value
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str) or not k.isascii():
                raise TypeError("object keys must be ASCII strings")
            out[k] = _jcs_ready(v)
        return out
    if isinstance(value, list):
        return [_jcs_ready(v) for v in value]
    return value


def jcs(value) -> bytes:
    """RFC 8785 canonical JSON for the subset of JSON our documents use."""
    return json.dumps(_jcs_ready(value), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def iso(dt) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


# --- the platform key -----------------------------------------------------------------


def key_path() -> Path:
    configured = current_app.config.get("CREDENTIAL_SIGNING_KEY_PATH")
    return Path(configured or Path(current_app.config["INSTANCE_DIR"]) / "keys" / "credentials-ed25519.pem")


def signing_key() -> Ed25519PrivateKey:
    """The platform's Ed25519 key, created on first use (safe when workers race)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = key_path()
    cached = _keys.get(str(path))
    if cached is not None:
        return cached
    with _key_lock:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".key-")
            try:
                os.write(fd, pem)
                os.fsync(fd)
                os.close(fd)
                os.chmod(tmp, 0o600)
                try:
                    os.link(tmp, path)  # fails if another worker created it first: use theirs
                except FileExistsError:
                    pass
            finally:
                os.unlink(tmp)
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise RuntimeError(f"{path} is not an Ed25519 private key")
        _keys[str(path)] = key
        return key


def public_key_bytes(key: Ed25519PrivateKey | None = None) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return (key or signing_key()).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


def public_key_multibase(raw: bytes | None = None) -> str:
    return "z" + b58encode(_MULTICODEC_ED25519_PUB + (raw or public_key_bytes()))


def base_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def issuer_id() -> str:
    return f"{base_url()}/credentials/issuer"


def verification_method_id(raw: bytes | None = None) -> str:
    fingerprint = hashlib.sha256(raw or public_key_bytes()).hexdigest()[:16]
    return f"{issuer_id()}#key-{fingerprint}"


def status_list_url() -> str:
    return f"{base_url()}/credentials/status/revocation"


# --- signing and verifying ------------------------------------------------------------


def _hash_data(document: dict, proof_options: dict) -> bytes:
    config = {**proof_options, "@context": document["@context"]}
    return hashlib.sha256(jcs(config)).digest() + hashlib.sha256(jcs(document)).digest()


def sign(document: dict, *, created: str) -> dict:
    """The document with an ``eddsa-jcs-2022`` DataIntegrityProof added, as a proof set of
    one (Open Badges 3.0 requires ``proof`` to be a list; Data Integrity signs the document
    without ``proof`` either way)."""
    key = signing_key()
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "created": created,
        "verificationMethod": verification_method_id(public_key_bytes(key)),
        "proofPurpose": "assertionMethod",
    }
    signature = key.sign(_hash_data(document, options))
    return {**_jcs_ready(document), "proof": [{**options, "proofValue": "z" + b58encode(signature)}]}


def verify(signed: dict, public_key_raw: bytes) -> bool:
    """True if every proof in the document's proof set is an intact Ed25519 signature of the
    document by this key (a single proof object, the older form, is read as a set of one)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    doc = dict(signed)
    proofs = doc.pop("proof", None) or []
    if isinstance(proofs, dict):
        proofs = [proofs]
    if not isinstance(proofs, list) or not proofs:
        return False
    for proof in proofs:
        proof = dict(proof)
        value = proof.pop("proofValue", "")
        if proof.get("cryptosuite") != "eddsa-jcs-2022" or not value.startswith("z"):
            return False
        try:
            signature = b58decode(value[1:])
            Ed25519PublicKey.from_public_bytes(public_key_raw).verify(signature, _hash_data(doc, proof))
        except (InvalidSignature, ValueError, TypeError):
            return False
    return True


# --- documents ------------------------------------------------------------------------


def issuer_profile() -> dict:
    raw = public_key_bytes()
    return {
        "@context": CONTEXTS,
        "id": issuer_id(),
        "type": ["Profile"],
        "name": current_app.config["CERTIFICATE_ISSUER_NAME"],
        "url": current_app.config.get("CERTIFICATE_ISSUER_URL") or base_url() + "/",
        "verificationMethod": [
            {
                "id": verification_method_id(raw),
                "type": "Multikey",
                "controller": issuer_id(),
                "publicKeyMultibase": public_key_multibase(raw),
            }
        ],
        "assertionMethod": [verification_method_id(raw)],
    }


def credential(cert: Certificate) -> dict:
    """The signed Open Badges 3.0 credential for ``cert`` (same bytes every time)."""
    code = cert.verification_code
    is_course = cert.kind == CertificateKind.COURSE
    achievement = {
        "id": f"{base_url()}/achievements/{cert.kind.value}/{cert.subject_code}",
        "type": ["Achievement"],
        "achievementType": "Certificate" if is_course else "Certification",
        "name": cert.title,
        "description": cert.title,
        "humanCode": cert.subject_code,
        "inLanguage": cert.language,
        "criteria": {
            "narrative": (
                "Completed every module and assessment of the course."
                if is_course
                else "Passed every phase of the certification programme."
            )
        },
    }
    if cert.hours:
        achievement["creditsAvailable"] = float(cert.hours)  # a number (12, 1.5); see _jcs_ready
    document = {
        "@context": CONTEXTS,
        "id": f"{base_url()}/verify/{code}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer_id(), "type": ["Profile"], "name": current_app.config["CERTIFICATE_ISSUER_NAME"]},
        "name": cert.title,
        "validFrom": iso(cert.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            # The holder is identified by the name printed on the certificate, in plain text, and
            # by this credential's own id (the secret verification link). No e-mail identifier:
            # OB 3.0's IdentityObject publishes ``salt`` beside a hashed ``identityHash`` so that
            # anyone can check a known address (spec, "Verify the Recipient Using an
            # Identifier"), which lets anyone who guesses or holds a list of addresses link this
            # credential to one; without the salt the spec says to assume the hash is unsalted,
            # so a salt kept secret would make the identifier uncheckable, and an unsalted hash
            # of an address is no better than the address. The e-mail stays off the credential.
            "identifier": [
                {"type": "IdentityObject", "identityType": "name", "hashed": False,
                 "identityHash": cert.learner_name},
            ],
            "achievement": achievement,
        },
        "credentialStatus": {
            "id": f"{status_list_url()}#{cert.id}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(cert.id),
            "statusListCredential": status_list_url(),
        },
    }
    if cert.expires_at is not None:
        document["validUntil"] = iso(cert.expires_at)
    return sign(document, created=iso(cert.issued_at))


def encode_status_list(revoked_indexes: list[int]) -> str:
    size = max(STATUS_LIST_MIN_BITS, ((max(revoked_indexes, default=0) // 8) + 1) * 8)
    bits = bytearray(size // 8)
    for i in revoked_indexes:
        bits[i // 8] |= 0x80 >> (i % 8)  # index 0 is the first byte's most significant bit
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode().rstrip("=")


def decode_status_list(encoded: str) -> bytes:
    data = encoded[1:] if encoded.startswith("u") else encoded
    return gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))


def status_list_credential(revoked_indexes: list[int], now) -> dict:
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": status_list_url(),
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(),
        "validFrom": iso(now),
        "credentialSubject": {
            "id": f"{status_list_url()}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_status_list(revoked_indexes),
        },
    }
    return sign(document, created=iso(now))


def is_revoked_in(status_list: dict, index: int) -> bool:
    bits = decode_status_list(status_list["credentialSubject"]["encodedList"])
    return bool(bits[index // 8] & (0x80 >> (index % 8)))

