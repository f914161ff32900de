"""`hub report` (joint-meeting report) and `hub token create|revoke` (machine bearer JWTs)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated

import typer

CST = timezone(timedelta(hours=8))


def _parse_day(value: str | None, end: bool) -> datetime | None:
    """A date (YYYY-MM-DD, Beijing time: start or end of day) or a full ISO timestamp."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"not a date: {value!r} (use YYYY-MM-DD)") from exc
    if len(value) == 10 and end:
        parsed = parsed + timedelta(days=1) - timedelta(microseconds=1)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=CST)


def register(app: typer.Typer) -> None:
    @app.command("report")
    def report(
        date_from: Annotated[str | None, typer.Option("--from", help="first day, YYYY-MM-DD")] = None,
        date_to: Annotated[str | None, typer.Option("--to", help="last day, YYYY-MM-DD")] = None,
        fmt: Annotated[str, typer.Option("--format", help="html or xlsx")] = "html",
        out: Annotated[
            Path | None, typer.Option("--out", help="output file (default report.html / report.xlsx)")
        ] = None,
    ) -> None:
        """Joint-meeting report: counts, transfers, overdue clocks, reverse referrals, divergent penalties."""
        from hub.bootstrap import open_store
        from hub.services.reports import collect, write_report
        from hub.settings import load_settings

        if fmt not in ("html", "xlsx"):
            raise typer.BadParameter("--format must be html or xlsx")
        start, end = _parse_day(date_from, False), _parse_day(date_to, True)
        if start and end and start > end:
            raise typer.BadParameter("--from is after --to")
        settings = load_settings()
        store = open_store(settings)
        try:
            written = write_report(collect(store, start, end, as_of=settings.as_of), fmt, out)
        finally:
            store.close()
        typer.echo(f"report written: {written}")

    token = typer.Typer(
        help="machine bearer tokens (JWT) for agency systems and scripts", no_args_is_help=True
    )

    @token.command("create")
    def create(
        role: Annotated[
            str, typer.Option("--role", help="AGENCY_OFFICER, PROSECUTOR, JOINT_MEETING or ADMIN")
        ],
        agency: Annotated[str | None, typer.Option("--agency", help="agency of an AGENCY_OFFICER")] = None,
        user: Annotated[
            str, typer.Option("--user", help="who the token is for (shown in the audit log)")
        ] = "cli",
        ttl_hours: Annotated[float | None, typer.Option("--ttl-hours")] = None,
    ) -> None:
        """Print a signed JWT for the query API (machines; people sign in on the web page)."""
        from hub.api.auth import create_token, load_token_keys
        from hub.registry import REGISTRY
        from hub.settings import load_settings

        settings = load_settings()
        try:
            # People type agencies and roles in any case (market_regulation, admin): normalise.
            code = REGISTRY.parse_agency(agency) if agency is not None else None
            value = create_token(
                load_token_keys(settings),
                role=role.strip().upper(),
                agency=code,
                user=user,
                ttl_hours=ttl_hours if ttl_hours is not None else settings.token_ttl_hours,
            )
        except ValueError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        typer.echo(value)

    @token.command("revoke")
    def revoke(
        jti: Annotated[str, typer.Argument(help="the token's id (jti), or the token itself")],
        reason: Annotated[str, typer.Option("--reason", help="why (kept with the revocation)")] = "revoked",
    ) -> None:
        """Refuse a token from now on, on every API replica (recorded in the store)."""
        from datetime import UTC, datetime

        from hub.api.auth import TokenError, token_claims
        from hub.bootstrap import open_store
        from hub.settings import load_settings

        expires_at = None
        if jti.count(".") == 2:  # a whole token was pasted: read its id and expiry
            try:
                claims = token_claims(jti)
            except TokenError as exc:
                typer.echo(f"error: {exc.reason}", err=True)
                raise typer.Exit(2) from exc
            jti = str(claims.get("jti") or "")
            if isinstance(claims.get("exp"), int):
                expires_at = datetime.fromtimestamp(claims["exp"], UTC)
        if not jti or len(jti) > 64:
            typer.echo("error: a token id (jti) is 1-64 characters", err=True)
            raise typer.Exit(2)
        store = open_store(load_settings())
        try:
            added = store.token_revoke(jti, expires_at=expires_at, reason=reason)
        finally:
            store.close()
        typer.echo(f"revoked: {jti}" if added else f"already revoked: {jti}")

    app.add_typer(token, name="token")
