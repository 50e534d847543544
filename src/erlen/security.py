"""Password hashing and safe path joining.

Password hashes use the text format Werkzeug writes (``method$salt$hash``), so a user table
created by a Flask application keeps working after the move to Erlen, and back.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import posixpath
import re
import secrets
import string

# Windows device names are special in every folder and with any extension or spaces around
# the name (CVE-2025-66221, CVE-2026-21860, CVE-2026-27199): "NUL.txt", "a/CON ", "nul .log".
_WINDOWS_DEVICE = re.compile(
    r"(CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|COM[0-9¹²³]|LPT[0-9¹²³])", re.IGNORECASE
)


def _is_windows_device(segment: str) -> bool:
    """Whether Windows would open a device for this path segment (``nul .txt``, ``COM1.``)."""
    stem = segment.split(".", 1)[0].strip(" ")
    return _WINDOWS_DEVICE.fullmatch(stem) is not None


_SEPARATORS = frozenset({os.sep, os.altsep or "/", "\\", "/"})
# On POSIX an absolute path is one that starts with "/" (posixpath.isabs).
_POSIX = os.sep == "/" and os.altsep is None


def safe_join(directory: str, *pathnames: str) -> str | None:
    """Join untrusted path segments onto ``directory``, or return ``None`` if the result could
    leave it.

    Refused: ``..`` segments, absolute paths, backslashes, drive letters (``C:``), UNC paths
    (``//server/share``), NUL bytes and Windows device names (``NUL``, ``con.txt``, ``AUX ``),
    on every platform, so an application behaves the same wherever it is deployed.
    """
    if not directory:
        directory = "."
    path = directory
    for filename in pathnames:
        if filename != "":
            filename = posixpath.normpath(filename)
        if (
            "\x00" in filename
            or "\\" in filename
            or ":" in filename
            or filename.startswith(("/", "../"))
            or filename == ".."
            or (not _POSIX and os.path.isabs(filename))  # on POSIX: the "/" test above
        ):
            return None
        if any(_is_windows_device(segment) for segment in filename.split("/")):
            return None
        # posixpath.join for a part that cannot start with "/" (PERF: no call per part).
        path = path + filename if path.endswith("/") else f"{path}/{filename}"
    return path


_SALT_CHARS = string.ascii_letters + string.digits
#: Iterations for ``pbkdf2`` when the method names none (the OWASP 2023 figure for SHA-256).
DEFAULT_PBKDF2_ITERATIONS = 1_000_000


def gen_salt(length: int) -> str:
    """A random string of ``length`` letters and digits."""
    if length <= 0:
        raise ValueError("Salt length must be at least 1.")
    return "".join(secrets.choice(_SALT_CHARS) for _ in range(length))


def _hash_internal(method: str, salt: str, password: str) -> tuple[str, str]:
    """``(hex digest, full method string)`` for a ``scrypt:n:r:p`` or ``pbkdf2:hash:iter``
    method; missing parameters take their defaults."""
    name, *args = method.split(":")
    salt_bytes = salt.encode()
    password_bytes = password.encode()
    if name == "scrypt":
        if not args:
            n, r, p = 2**15, 8, 1
        else:
            try:
                n, r, p = (int(x) for x in args)
            except ValueError:
                raise ValueError("scrypt needs 'scrypt' or 'scrypt:n:r:p'.") from None
        maxmem = 132 * n * r * p  # the memory scrypt needs, with headroom
        digest = hashlib.scrypt(password_bytes, salt=salt_bytes, n=n, r=r, p=p, maxmem=maxmem)
        return digest.hex(), f"scrypt:{n}:{r}:{p}"
    if name == "pbkdf2":
        if not args:
            hash_name, iterations = "sha256", DEFAULT_PBKDF2_ITERATIONS
        elif len(args) == 1:
            hash_name, iterations = args[0], DEFAULT_PBKDF2_ITERATIONS
        elif len(args) == 2:
            hash_name, iterations = args[0], int(args[1])
        else:
            raise ValueError("pbkdf2 needs 'pbkdf2', 'pbkdf2:hash' or 'pbkdf2:hash:iterations'.")
        digest = hashlib.pbkdf2_hmac(hash_name, password_bytes, salt_bytes, iterations)
        return digest.hex(), f"pbkdf2:{hash_name}:{iterations}"
    raise ValueError(f"Invalid hash method {name!r}: use 'scrypt' or 'pbkdf2'.")


def generate_password_hash(password: str, method: str = "scrypt", salt_length: int = 16) -> str:
    """Hash ``password`` for storage, as ``method$salt$hash``.

    ``method`` is ``scrypt`` (the default, ``scrypt:32768:8:1``) or ``pbkdf2``
    (``pbkdf2:sha256:1000000``); parameters may be given, as in ``pbkdf2:sha512:600000``.
    """
    salt = gen_salt(salt_length)
    digest, actual_method = _hash_internal(method, salt, password)
    return f"{actual_method}${salt}${digest}"


def check_password_hash(pwhash: str, password: str) -> bool:
    """Whether ``password`` matches a hash from :func:`generate_password_hash` (or Werkzeug's).

    A malformed or unknown stored hash is simply ``False``. The comparison takes constant time.
    """
    try:
        method, salt, expected = pwhash.split("$", 2)
        digest = _hash_internal(method, salt, password)[0]
    except (ValueError, TypeError, OverflowError, MemoryError):
        return False
    return hmac.compare_digest(digest, expected)
