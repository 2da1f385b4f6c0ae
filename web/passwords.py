"""Password hashing with the standard library's scrypt; no web framework needed.

A stored hash reads `scrypt$N$r$p$<salt b64>$<key b64>`. The cost parameters are read back from
the stored string, so raising them later (for new and changed passwords) leaves every existing
hash verifiable.
"""

import base64
import hashlib
import hmac
import secrets

SCHEME = "scrypt"
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
KEY_BYTES = 32
# OpenSSL refuses scrypt above its default 32 MiB unless told the memory it may use; N·r·128 bytes
# plus the p blocks, with room to spare, capped where Python's `maxmem` argument stops.
_MAXMEM_CAP = 2**31 - 1
_MAXMEM_SLACK = 2**20


def _b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    maxmem = min(128 * r * (n + p + 2) + _MAXMEM_SLACK, _MAXMEM_CAP)
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=length, maxmem=maxmem)


def hash_password(password: str) -> str:
    """A fresh random salt and the scrypt key of `password`, in the storable form above."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, KEY_BYTES)
    return f"{SCHEME}${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64encode(salt)}${_b64encode(key)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` is the one `stored` was made from; False for a malformed `stored`."""
    try:
        scheme, n, r, p, salt_b64, key_b64 = stored.split("$")
        if scheme != SCHEME:
            return False
        salt = base64.b64decode(salt_b64, validate=True)
        expected = base64.b64decode(key_b64, validate=True)
        if not expected:
            return False
        key = _scrypt(password, salt, int(n), int(r), int(p), len(expected))
    except (ValueError, OverflowError):  # wrong field count, bad base64 or numbers, parameters scrypt refuses
        return False
    return hmac.compare_digest(key, expected)
