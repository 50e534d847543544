"""safe_join: every way out of a directory is refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from erlen.security import safe_join


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("a.txt",), "base/a.txt"),
        (("sub", "a.txt"), "base/sub/a.txt"),
        (("sub/./a.txt",), "base/sub/a.txt"),
        (("sub/../a.txt",), "base/a.txt"),
        (("",), "base/"),
        (("con.d",), None),
        (("console.txt",), "base/console.txt"),
    ],
)
def test_safe_join_allows(parts: tuple[str, ...], expected: str | None) -> None:
    assert safe_join("base", *parts) == expected


@pytest.mark.parametrize(
    "name",
    [
        "..",
        "../etc/passwd",
        "a/../../x",
        "/etc/passwd",
        "\\windows\\win.ini",
        "..\\x",
        "C:/x",
        "c:x",
        "//server/share",
        "a\x00b",
        "NUL",
        "nul.txt",
        "a/CON",
        "COM1.log",
        "LPT¹",
        "AUX ",
        "PRN.",
        "conin$",
    ],
)
def test_safe_join_refuses(name: str) -> None:
    assert safe_join("base", name) is None


def test_safe_join_empty_directory() -> None:
    assert safe_join("", "a") == "./a"


@given(
    st.sampled_from(["", "base", "base/", "/", "/srv/static", "a//b/"]),
    st.lists(st.text(st.sampled_from("ab./"), max_size=6), min_size=1, max_size=4),
)
def test_safe_join_joins_as_posixpath_does(directory: str, parts: list[str]) -> None:
    import posixpath

    result = safe_join(directory, *parts)
    normalized = [posixpath.normpath(p) if p else p for p in parts]
    if result is not None:
        assert result == posixpath.join(directory or ".", *normalized)
    else:
        assert any(p.startswith(("/", "../")) or p == ".." for p in normalized)


@given(st.lists(st.text(max_size=10), min_size=1, max_size=4))
def test_safe_join_result_stays_inside(parts: list[str]) -> None:
    import posixpath

    result = safe_join("/base", *parts)
    if result is not None:
        assert posixpath.normpath(result).startswith("/base")


# -- password hashes -----------------------------------------------------------------------

from erlen.security import check_password_hash, gen_salt, generate_password_hash  # noqa: E402

# Made once by Werkzeug's generate_password_hash (Werkzeug 3.1.9, run from a throwaway script
# outside the repository with bench/.venv/bin/python); kept so that Erlen provably reads them.
WERKZEUG_HASHES = [
    (
        "correct horse",
        "scrypt:32768:8:1$DtdZpTpY71oh5UGW$2a9d7cc1827f38e7fa7131faf1d173b82a588eaf45e98820524d"
        "b2a5eaa21ae7c1ba419211b96f8fa6b7695b047c1a3474c1488e827220abaf6247353c9babf3",
    ),
    (
        "correct horse",
        "pbkdf2:sha256:1000000$Q0naAnn6qmgvzpI3$b9a5b364b2273dc7cbb5106431d8ba712e1cf91bc9959a6e"
        "823ef314fcd4f227",
    ),
    (
        "pässwörd",
        "pbkdf2:sha512:1000$JUz5KLPzg1i4BCzV$a690b079bde2fe11cfd1ee57e23e247922be4412551ed0ec208e"
        "0ce34dd996bf6f6fabb11275083da8b414f78d465e7f770eb9996b7d862588bd296ea14b5bd3",
    ),
    (
        "pässwörd",
        "scrypt:16384:8:1$lOgsyUas4EKWQ8mE$4c6c5e982188d69a113af2e538b62b0413a970a5808b2327a5380"
        "6b5d671624ea7608bf26159f038e63b06a7410b360c4a651d34f536467a4489e8b881d4973a",
    ),
    ("", "pbkdf2:sha1:1000$gphV$69f88eb26709f28d95285ed3374d51d372af3d9c"),
    (
        "correct horse",
        "pbkdf2:sha256:600000$1FEtZgz1zikCiodr$ab51e7652e8a87b58b0ae82334e557ac8baeb5b2db5b50a6e083"
        "8dc29b5878e0",
    ),
    (
        "pässwörd €",
        "scrypt:32768:8:1$3jcs9MXtPZnkzYQr$cabec9315b8948b5a9b73ddf1cfba95c0baf0a2cf75cd11eff16d5"
        "25eea8e5636b9fe2218e773123e60155dbae1aa8076800d18b747f0fb5ad3695bcaaf8a4e5",
    ),
]

# The other way round: hashes written by Erlen's generate_password_hash, each checked once
# (right password True, wrong password False) by Werkzeug 3.1.9's check_password_hash in a
# throwaway script outside the repository. They must keep verifying here, and keep their
# exact shape: method string, a 16-character salt, a hex digest.
ERLEN_HASHES_WERKZEUG_ACCEPTS = [
    (
        "correct horse",
        "scrypt:32768:8:1$a7sUjmDxc9kg3i9i$723020c117e663de68ae3f465968cf94465827cf46b7368c0634d4"
        "5049eaef737cfc9f1133787f8bbec3745d68979e59f05992ae9e90ef18d8cf8f8cc57c8dd5",
    ),
    (
        "correct horse",
        "pbkdf2:sha256:600000$2gZ2RPghL2YpK1Pp$ec22ad102cb17d52b2b622b43137c5f1bbe06eb3c173903b44"
        "1620c3cc12ac83",
    ),
    (
        "",
        "pbkdf2:sha512:1000$njiF0crHl8S7vaya$030d4ead9ce16f352be85ea334fa2fe38aa143b6e26cc7012bf8"
        "b7d26b6a4ad75b739fa059953e2c19722f2b4e6006443c637198c19417ce5f4a9e1d5aad0497",
    ),
    (
        "x",
        "scrypt:16384:8:1$BbwjI8I8uZbkhMTw$941e333be43bb2ee9faa54a90f05277d0cb94e5995e6463f9520b"
        "5fd97a544899218c1928ca99647b5370ed675dd9429e165a85f88306eea8c522478284d7e41",
    ),
]


@pytest.mark.parametrize(("password", "stored"), ERLEN_HASHES_WERKZEUG_ACCEPTS)
def test_erlen_hashes_keep_werkzeugs_format(password: str, stored: str) -> None:
    import re

    assert re.fullmatch(
        r"(scrypt:\d+:\d+:\d+|pbkdf2:sha(256|512):\d+)\$[A-Za-z0-9]{16}\$[0-9a-f]+", stored
    )
    assert check_password_hash(stored, password)
    assert not check_password_hash(stored, password + "x")


def test_same_salt_gives_werkzeugs_digest() -> None:
    # With Werkzeug's salt and method, Erlen computes Werkzeug's digest exactly.
    from erlen.security import _hash_internal

    _password, stored = WERKZEUG_HASHES[-2]
    method, salt, digest = stored.split("$")
    assert _hash_internal(method, salt, "correct horse") == (digest, method)


def test_pbkdf2_default_is_werkzeugs() -> None:
    # Werkzeug 3.1 writes pbkdf2:sha256:1000000 for method="pbkdf2".
    stored = generate_password_hash("x", "pbkdf2")
    assert stored.startswith("pbkdf2:sha256:1000000$")


@pytest.mark.parametrize(("password", "stored"), WERKZEUG_HASHES)
def test_werkzeug_hashes_verify(password: str, stored: str) -> None:
    assert check_password_hash(stored, password)
    assert not check_password_hash(stored, password + "x")


@pytest.mark.parametrize(
    ("method", "prefix"),
    [
        ("scrypt:1024:8:1", "scrypt:1024:8:1$"),
        ("pbkdf2:sha256:1000", "pbkdf2:sha256:1000$"),
        ("pbkdf2:sha512:10", "pbkdf2:sha512:10$"),
    ],
)
def test_generate_and_check(method: str, prefix: str) -> None:
    stored = generate_password_hash("secret", method=method)
    assert stored.startswith(prefix)
    assert len(stored.split("$")[1]) == 16
    assert check_password_hash(stored, "secret")
    assert not check_password_hash(stored, "Secret")


def test_default_method_is_scrypt() -> None:
    assert generate_password_hash("x").startswith("scrypt:32768:8:1$")


def test_salts_differ() -> None:
    assert generate_password_hash("x", "pbkdf2:sha256:1") != generate_password_hash(
        "x", "pbkdf2:sha256:1"
    )


@pytest.mark.parametrize(
    "method", ["md5", "plain", "scrypt:a:b:c", "pbkdf2:sha256:1:2", "pbkdf2:nohash:10"]
)
def test_bad_methods(method: str) -> None:
    with pytest.raises(ValueError):
        generate_password_hash("x", method=method)


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "nodollar",
        "a$b",
        "md5$salt$abc",
        "scrypt:99999999999:8:1$s$00",
        "pbkdf2:x:1$s$00",
        "pbkdf2:sha256:1$s$",
    ],
)
def test_malformed_stored_hash_is_false(stored: str) -> None:
    assert check_password_hash(stored, "x") is False


def test_gen_salt() -> None:
    assert len(gen_salt(8)) == 8
    assert gen_salt(30).isalnum()
    with pytest.raises(ValueError):
        gen_salt(0)
