"""docs/errors.md's tables and error tree, checked against the code they describe.

Each expected row is computed by the code itself (``eidg_error``, ``oidc_error``, the error
classes, the English texts of ``web/messages.py``) and compared with the row in the page,
so a changed code, status, owner, link or text fails here with the row to write.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import aiohttp_eid
from aiohttp_eid.errors import Action, EidError, Owner, ProviderError
from aiohttp_eid.messages import LOCALES, MESSAGES, text, ui
from aiohttp_eid.providers.eidg_errors import EIDG_ERRORS, eidg_error
from aiohttp_eid.providers.openid_errors import OIDC_ERRORS, oidc_error

PAGE = (Path(__file__).parents[2] / "docs" / "errors.md").read_text()
LINKS = {Action.TRY_AGAIN: ui("try_again", "en"), Action.LOGIN_AGAIN: ui("start_again", "en"), Action.GENERIC: "none"}
# the tree's base classes, never raised themselves: no row in the table
NEVER_RAISED = {"EidError", "SessionError"}


def table(header: str) -> list[str]:
    """The rows (without header and rule) of the Markdown table whose header line starts with ``header``."""
    lines = PAGE.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


def reads(message: str) -> str:
    title, body = text(message, "en")
    return f"**{title}.** {body}"


def owner(value: Owner, provider: str) -> str:
    return {Owner.END_USER: "end user", Owner.CLIENT_APPLICATION: "you (client application)"}.get(value, provider)


def provider_row(first: str, err: ProviderError, provider_name: str) -> str:
    """``first`` columns, then who acts, what the user reads, the link and the status."""
    who = owner(err.owner, provider_name)
    return f"| {first} | {who} | {reads(err.message)} | {LINKS[err.action]} | {err.status} |"


def eidg(error: str, code: str) -> ProviderError:
    return eidg_error(provider="eidg", error=error, error_code=code, description="", where="callback")


def test_the_eidg_error_code_table_is_the_code_s() -> None:
    expected: list[str] = []
    codes = list(EIDG_ERRORS)
    while codes:  # consecutive codes of one row of EIDG's table share one row
        group = [codes.pop(0)]
        while codes and EIDG_ERRORS[codes[0]] == EIDG_ERRORS[group[0]]:
            group.append(codes.pop(0))
        spec = EIDG_ERRORS[group[0]]
        first = f"{' '.join(f'`{c}`' for c in group)} | `{spec.oauth_error}` | {spec.cause}"
        expected.append(provider_row(first, eidg(spec.oauth_error, group[0]), "EIDG"))
    assert table("| errorCode |") == expected


def test_the_eidg_unknown_code_table_is_the_code_s() -> None:
    expected = [
        provider_row("`error=access_denied`", eidg("access_denied", "UNKNOWN_1"), "EIDG"),
        provider_row("`error=invalid_grant`", eidg("invalid_grant", "UNKNOWN_1"), "EIDG"),
        provider_row("any other `error`", eidg("invalid_request", "UNKNOWN_1"), "EIDG"),
    ]
    assert table("| What EIDG sent |") == expected


def test_the_openid_error_table_is_the_code_s() -> None:
    def row(first: str, error: str) -> str:
        err = oidc_error(provider="op", error=error, description="", where="callback")
        return provider_row(first, err, "the provider")

    expected = [row(f"`{error}`", error) for error in OIDC_ERRORS]
    expected.append(row("any other `error`", "invalid_request"))
    assert table("| OAuth `error` |") == expected


def exported_errors() -> dict[str, type[EidError]]:
    return {
        name: value
        for name, value in vars(aiohttp_eid).items()
        if inspect.isclass(value) and issubclass(value, EidError) and name in aiohttp_eid.__all__
    }


def test_the_own_errors_table_has_each_raised_class_with_its_code_status_and_text() -> None:
    rows = {}
    for line in table("| Error | `code` |"):
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        rows[cells[0].strip("`")] = cells
    assert set(rows) == set(exported_errors()) - NEVER_RAISED
    for name, cells in rows.items():
        cls = exported_errors()[name]
        _, code, status, _, user_reads = cells
        assert code == f"`{cls.code}`", name
        if cls is aiohttp_eid.ConfigurationError:  # raised at startup, never a page
            assert (status, user_reads) == ("—", "—")
        elif cls is aiohttp_eid.ReplayError:
            assert cls.message == aiohttp_eid.StateError.message
            assert user_reads == "Same as `StateError`."
        elif cls is ProviderError:  # status and text come from the provider's table
            assert str(cls(provider="p").status) in status
            assert user_reads == "From the tables above."
        else:
            # ProviderUnavailableError's status depends on the failure: its default must be listed first
            assert status.split(",")[0].split(" ")[0] == str(cls.status), name
            assert user_reads == reads(cls.message), name


def test_the_error_tree_is_the_class_hierarchy() -> None:
    tree = PAGE.split("```\nEidError\n", 1)[1].split("```", 1)[0]
    parents: list[str] = ["EidError"]  # the open ancestors, by depth
    seen = {"EidError"}
    for line in tree.splitlines():
        match = re.match(r"([│├└─ ]*)([A-Za-z]+Error)\b", line)
        assert match, line
        depth, name = len(match.group(1)) // 4, match.group(2)
        cls = getattr(aiohttp_eid, name)
        assert cls.__bases__ == (getattr(aiohttp_eid, parents[depth - 1]),), name
        parents[depth:] = [name]
        seen.add(name)
    assert seen == set(exported_errors())


def test_missing_data_text_and_every_message_in_every_language() -> None:
    assert f"`missing_data` (403, {reads('missing_data')})" in " ".join(PAGE.split())
    for key, texts in MESSAGES.items():
        assert set(texts) == set(LOCALES), key
