"""Identifiers: the typed names by which one human appears in different sources.

A person has identifiers of these kinds, each normalised so that the same identifier
written two ways is one:

* ``key``: the handle a person has in this ledger (the clean-text rule only);
* ``email``: validated and normalised by ``email-validator`` (the domain lower-cased
  and IDNA-decoded); the local part lower-cased too, since every major provider treats
  it without case (RFC 5321 allows otherwise; none we know of does). Only where the
  provider itself ignores them are dots and ``+tags`` dropped: Gmail
  (``gmail.com``, ``googlemail.com``) ignores dots and tags; Outlook (``outlook.com``,
  ``hotmail.com``, ``live.com``, ``msn.com``), iCloud (``icloud.com``, ``me.com``,
  ``mac.com``), Fastmail and Proton ignore tags. Anywhere else ``jane.doe`` and
  ``janedoe`` are two addresses, as they are two mailboxes;
* ``phone``: parsed by ``phonenumbers`` and written E.164 (``+442079460958``), a number
  without a country code read in the given default region;
* ``url``: a profile URL without scheme, ``www.``, a country sub-domain of LinkedIn,
  query, fragment or trailing slash, percent-decoded and lower-cased
  (``linkedin.com/in/jane-doe``);
* ``handle``: ``platform:handle`` (``telegram:@jdoe``), lower-cased;
* ``name``: a display name (the clean-text rule). Names are never unique: they are not
  indexed, only compared when suggesting duplicates.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from ledger.errors import InvalidInputError
from ledger.facts.text import clean_key, clean_name

__all__ = ["INDEXED", "KINDS", "email", "handle", "normalise", "phone", "profile_url"]

KINDS = ("key", "email", "phone", "url", "handle", "name")
INDEXED = ("key", "email", "phone", "url", "handle")
"""The kinds that identify one person alone (a person is found by any of them)."""

_DOTLESS = frozenset({"gmail.com", "googlemail.com"})
_TAGLESS = _DOTLESS | {
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "fastmail.com",
    "fastmail.fm",
    "protonmail.com",
    "proton.me",
    "pm.me",
}
_LOOKS_LIKE_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_LINKEDIN_HOST = re.compile(r"(?:[a-z]{2,3}\.)?linkedin\.com")


def normalise(kind: str, value: object, *, region: str | None = None) -> str:
    """``value`` as an identifier of ``kind``, normalised (see the module docs)."""
    if kind == "key":
        return clean_key(value, "key")
    if kind == "email":
        return email(value)
    if kind == "phone":
        return phone(value, region)
    if kind == "url":
        return profile_url(value)
    if kind == "handle":
        return handle(value)
    if kind == "name":
        return clean_name(value)
    raise InvalidInputError(
        "identifier", kind, f"unknown kind of identifier; known: {', '.join(KINDS)}"
    )


def email(value: object) -> str:
    """An e-mail address, normalised; an error naming it if it is not one."""
    from email_validator import EmailNotValidError, validate_email  # noqa: PLC0415

    text = clean_key(value, "email")
    try:
        found = validate_email(text, check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError as error:
        raise InvalidInputError("email", value, f"not an e-mail address ({error})") from None
    local, domain = found.local_part.lower(), found.domain.lower()
    if domain == "googlemail.com":
        domain = "gmail.com"
    if domain in _TAGLESS:
        local = local.split("+", 1)[0]
    if domain in _DOTLESS:
        local = local.replace(".", "")
    return f"{local}@{domain}"


def looks_like_email(value: str) -> bool:
    return bool(_LOOKS_LIKE_EMAIL.fullmatch(value))


def phone(value: object, region: str | None = None) -> str:
    """A phone number in E.164; an error naming it if it is not one."""
    import phonenumbers  # noqa: PLC0415

    text = clean_key(value, "phone")
    try:
        number = phonenumbers.parse(text, (region or "").upper() or None)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        reason = "not a phone number" + (
            "" if region else " (give a default region for numbers without +country)"
        )
        raise InvalidInputError("phone", value, reason)
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def profile_url(value: object) -> str:
    """A profile URL, normalised; an error naming it if it is not one."""
    text = clean_key(value, "url")
    parts = urlsplit(text if "://" in text else f"https://{text}")
    host = (parts.hostname or "").lower().removeprefix("www.")
    if not host or "." not in host:
        raise InvalidInputError("url", value, "not a URL")
    if _LINKEDIN_HOST.fullmatch(host):
        host = "linkedin.com"
    path = unquote(parts.path).rstrip("/").lower()
    return clean_key(f"{host}{path}", "url")


def handle(value: object) -> str:
    """A ``platform:handle``, lower-cased; an error naming it if it has no platform."""
    text = clean_key(value, "handle").lower()
    if ":" not in text:
        raise InvalidInputError(
            "handle", value, "write a handle as platform:handle (telegram:@jdoe)"
        )
    return text
