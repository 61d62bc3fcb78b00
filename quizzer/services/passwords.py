"""Passwords: the one strength rule (sign-up, password change, ``quizzer user create``) and hashing.

New hashes are argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane). Hashes made before
(werkzeug's ``scrypt:...``) still verify, and ``needs_rehash`` says to replace them at the next
successful login.
"""
from __future__ import annotations

import functools
import re

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from werkzeug.security import check_password_hash

from quizzer.services.errors import InvalidInput

MIN_LENGTH = 8
MAX_LENGTH = 1024
MIN_SCORE = 3  # zxcvbn's 0-4 scale: 3 is "safely unguessable: moderate protection from offline attacks"
ZXCVBN_MAX_CHARS = 72  # zxcvbn's own limit (its time grows fast with length); characters after only add strength

# Hashes this server makes: argon2id with the parameters below, and the werkzeug scrypt and pbkdf2
# hashes of earlier versions. A restored hash with bigger cost parameters would make every login
# attempt burn memory or time: refused.
_OUR_HASH = re.compile(r"\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}"
                       r"|(?:scrypt:32768:8:1|pbkdf2:sha256:[0-9]{1,7})\$[A-Za-z0-9]{1,64}\$[0-9a-f]{64,128}")

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16,
                         type=Type.ID)


def check_strength(password: str | None, username: str = "") -> None:
    """Raise InvalidInput("password: ...") saying why ``password`` is refused: too short, too long,
    or guessable (zxcvbn score below 3, the username counted as known to an attacker)."""
    from zxcvbn import zxcvbn  # its word lists take ~0.1 s to load: only commands that need it pay

    password = password or ""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"password: at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"password: at most {MAX_LENGTH} characters")
    result = zxcvbn(password[:ZXCVBN_MAX_CHARS], user_inputs=[username] if username else [])
    if result["score"] < MIN_SCORE:
        feedback = result["feedback"]
        advice = " ".join([feedback["warning"], *feedback["suggestions"]]).strip()
        raise InvalidInput(f"password: too easy to guess. {advice or 'Add another word or two.'}")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(stored_hash: str, password: str | None) -> bool:
    """Whether ``password`` matches, for argon2id and the older werkzeug (scrypt) hashes alike."""
    if not stored_hash.startswith("$argon2"):
        return bool(stored_hash) and check_password_hash(stored_hash, password or "")
    try:
        return _hasher.verify(stored_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


def is_our_hash(stored_hash: object) -> bool:
    """Whether a hash (from an account backup, say) is one this server makes, with its costs."""
    return isinstance(stored_hash, str) and _OUR_HASH.fullmatch(stored_hash) is not None


def needs_rehash(stored_hash: str) -> bool:
    """True for a hash that is not argon2id with the current parameters."""
    return not stored_hash.startswith("$argon2id$") or _hasher.check_needs_rehash(stored_hash)


@functools.cache
def dummy_hash() -> str:
    """A hash to check against when the account does not exist, so timing does not tell.
    Made on first use: nothing runs at import time."""
    return _hasher.hash("not a password")
