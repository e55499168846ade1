"""Text from people, and text shown to people: one place for the rules.

On input, names and other one-line values lose control characters and line breaks, notes
keep their line breaks but lose other control characters, and NUL never gets through. On
output (terminal, email headers and bodies) every value is escaped again, because a database
written by an older version, or by hand, may still hold anything.
"""

from __future__ import annotations

import re

from leaddesk.errors import InvalidInputError

EMAIL_MAX = 320
# dot-atom local part and a dotted domain, as in RFC 5322 without quoted strings or
# comments: a comma, a space, a quote or an angle bracket can never be part of an address
# LeadDesk sends to (smtplib would split or misread it).
_ATOM = r"[\w!#$%&'*+/=?^`{|}~-]+"
_LABEL = r"[^\W_](?:[\w-]*[^\W_])?"
_EMAIL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})+")
_LOCAL_EMAIL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})*")

# Line breaks of every kind, and tabs: a space in a one-line value.
_BREAKS = re.compile(r"[\t\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")
# Other C0/C1 control characters (escape sequences start here) and the invisible bidi
# controls that can make a terminal show text in another order than it is.
_CONTROLS = re.compile(
    r"[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def is_email(value: str, *, local_domain: bool = False) -> bool:
    """The one check of an email address, used by every entry point.

    People's addresses need a dotted domain (``a@x`` is a typo); ``local_domain`` also takes
    a one-word host such as ``leaddesk@localhost``, the sender address of a local relay.
    """
    pattern = _LOCAL_EMAIL if local_domain else _EMAIL
    return len(value) <= EMAIL_MAX and pattern.fullmatch(value) is not None


def clean_email(value: str | None) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInputError("The email address cannot be empty.")
    if not is_email(text):
        raise InvalidInputError(f"'{one_line(text)}' is not a valid email address.")
    return text


def one_line(value: object) -> str:
    """A value fit for one line of a terminal or an email: no breaks, no control codes."""
    text = "" if value is None else str(value)
    if text.isprintable():  # the common case, fast: nothing below would change it
        return text
    return _CONTROLS.sub("", _BREAKS.sub(" ", text))


def clean_multiline(value: str | None) -> str:
    """A note as typed: line breaks kept (as ``\\n``), every other control character dropped."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\v\f\x1c-\x1e\x85\u2028\u2029]", "\n", text)
    return _CONTROLS.sub("", text)


def clean_one_line(value: str | None) -> str:
    """A name or other one-line value as typed: controls dropped, whitespace collapsed."""
    return " ".join(one_line(value).split())
