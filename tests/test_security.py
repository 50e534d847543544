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


@given(st.lists(st.text(max_size=10), min_size=1, max_size=4))
def test_safe_join_result_stays_inside(parts: list[str]) -> None:
    import posixpath

    result = safe_join("/base", *parts)
    if result is not None:
        assert posixpath.normpath(result).startswith("/base")


# -- password hashes -----------------------------------------------------------------------

from erlen.security import check_password_hash, gen_salt, generate_password_hash  # noqa: E402

# Made once by Werkzeug 3.1's generate_password_hash; kept so that Erlen provably reads them.
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
]


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
