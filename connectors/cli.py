"""``hub-connect``: agency documents in, canonical events out (docs/DESIGN.md section 6a).

    hub-connect parse --agency COURT judgment.txt [more files or folders]
    hub-connect publish --agency MARKET_REGULATION --source DIR [--events parsed.jsonl]
    hub-connect review list|show|complete|approve|reject --agency COURT ...
    hub-connect status --agency MARKET_REGULATION
    hub-connect retry-rejected --agency MARKET_REGULATION

Exit codes:
- ``parse``: 0 when every file (and row) yielded an event, complete or not (an incomplete one
  is printed with ``"extraction": {"complete": false, "missing": [...]}``); 1 when any could not
  be read or held nothing recognisable (each is named on stderr with the reason, in Chinese;
  the others are still printed on stdout).
- ``publish``: 0 when every event has a receipt and nothing was rejected or unparseable;
  1 when a file failed to parse or the hub REJECTED an event (reasons printed); 2 when events
  are still waiting for a receipt (they stay in the outbox: run publish again); 3 on a setup
  error (missing keys, no broker). Incomplete drafts held for review do not change the exit
  code; the summary counts them ("N 份待审核草稿").
- ``review``: 0 done; 1 the action was refused (unknown id, wrong state, invalid value, fields
  still missing), with the reason in Chinese on stderr; ``approve`` then exits like ``publish``.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hub.domain.model import Agency

if TYPE_CHECKING:
    from connectors._core.connector import ConnectorSettings

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="Agency connectors for the IP enforcement hub"
)
review_app = typer.Typer(no_args_is_help=True, add_completion=False, help="审核不完整的草稿（review queue）")

AgencyOption = Annotated[
    Agency, typer.Option("--agency", "-a", case_sensitive=False, help="Publishing agency")
]


def _err(message: str) -> None:
    typer.echo(message, err=True)


@app.command()
def parse(
    agency: AgencyOption,
    files: Annotated[list[Path], typer.Argument(help="Documents or folders (.txt .docx .csv .xlsx .json)")],
    no_text: Annotated[bool, typer.Option("--no-text", help="Leave the document's full text out")] = False,
) -> None:
    """Print the canonical events of FILES as JSON lines on stdout (failures on stderr, exit 1)."""
    from connectors._core.parsing import ParsedEvent, PartialEvent, parse_paths

    failed = 0
    out = sys.stdout
    for item in parse_paths(agency, files):
        if isinstance(item, ParsedEvent):
            record = _printable(item.event.canonical_json(), item.raw, no_text)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        elif isinstance(item, PartialEvent):
            # What the text holds is printed; "extraction" says what is missing.
            out.write(json.dumps(_printable({}, dict(item.raw), no_text), ensure_ascii=False) + "\n")
        else:
            failed += 1
            _err(f"{item.label}：{item.reason}")
    out.flush()
    if failed:
        _err(f"{failed} file(s) or row(s) could not be parsed")
        raise typer.Exit(1)


def _printable(canonical: dict[str, Any], raw: dict[str, Any], no_text: bool) -> dict[str, Any]:
    # Fields the mapping adds beyond the contract (e.g. exempted_from_punishment) are printed
    # after the canonical ones; older readers ignore them (docs/DESIGN.md section 5).
    record = dict(canonical)
    for key, value in raw.items():
        if key not in record:
            record[key] = value
    if no_text:
        record["text"] = None
    return record


@app.command()
def publish(
    agency: AgencyOption,
    source: Annotated[
        list[Path] | None, typer.Option("--source", "-s", help="Folder or file to publish (repeatable)")
    ] = None,
    events: Annotated[
        list[Path] | None,
        typer.Option("--events", help="JSON lines of events, e.g. `parse` output (repeatable)"),
    ] = None,
    bootstrap: Annotated[str | None, typer.Option(help="Kafka bootstrap (default: HUB_BOOTSTRAP)")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Data dir holding keys/ and outbox/")] = None,
    resend_after: Annotated[float, typer.Option(help="Seconds before an unanswered event is resent")] = 15.0,
    idle_timeout: Annotated[
        float, typer.Option(help="Stop after this many seconds without a receipt")
    ] = 120.0,
    batch: Annotated[int, typer.Option(help="Events per send batch")] = 500,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show a progress bar")] = True,
) -> None:
    """Parse, sign, put in the outbox, publish to intake, and wait for the hub's signed receipts.

    Incomplete drafts are not published: they wait in the outbox for `hub-connect review`.
    """
    if not source and not events:
        _err("error: give --source or --events")
        raise typer.Exit(3)
    settings = _connector_settings(
        agency, bootstrap, data_dir, sources=tuple(source or ()),
        resend_base_s=resend_after, idle_timeout_s=idle_timeout, send_batch=batch,
    )  # fmt: skip
    _run_and_report(settings, progress, tuple(events or ()))


def _connector_settings(
    agency: Agency, bootstrap: str | None, data_dir: Path | None, **own: object
) -> ConnectorSettings:
    from connectors._core.connector import ConnectorSettings
    from hub.settings import load_settings

    overrides: dict[str, object] = {}
    if bootstrap is not None:
        overrides["bootstrap"] = bootstrap
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    return ConnectorSettings.build(load_settings(**overrides), agency, **own)


def _run_and_report(
    settings: ConnectorSettings, progress: bool, events: tuple[Path, ...] = (), before: Any = None
) -> None:
    """Run the connector (stage, deliver, await receipts), print the summary, exit with its code.

    ``before(connector)`` runs after set-up and before the run (``review approve`` signs there).
    """
    from connectors._core.runner import ConnectorSetupError, DocumentConnector

    hub = settings.hub
    agency = settings.agency
    with _progress_bar(progress and sys.stderr.isatty()) as hook:
        connector = DocumentConnector(settings, progress=hook, event_files=events)
        try:
            connector.setup()
            if before is not None:
                before(connector)
            report = asyncio.run(connector.run())
        except ConnectorSetupError as exc:
            _err(f"error: {exc}")
            raise typer.Exit(3) from exc
        except typer.Exit:
            raise
        except Exception as exc:  # broker unreachable, topic missing: say so, keep the outbox
            _err(f"error: cannot publish to {hub.bootstrap or '(no bootstrap)'}: {type(exc).__name__}: {exc}")
            _err("the events stay in the outbox; run publish again when the broker is reachable")
            raise typer.Exit(3) from exc
        finally:
            connector.cleanup()
    for failure in report.failures:
        _err(f"{failure.label}: {failure.reason}")
    conflicted = {event_id for event_id, _label, _reason in report.conflicts}
    for event_id, label, reason in report.rejected:
        if event_id in conflicted:
            _err(f"CONFLICT {event_id} ({label}): {_conflict_text(reason)}")
        else:
            _err(f"REJECTED {event_id} ({label}): {reason}")
    for problem in sorted(set(report.receipt_problems))[:20]:
        _err(f"ignored receipt: {problem}")
    counts = {state.value: n for state, n in report.outbox.items()}
    summary = {
        "agency": agency.value,
        "parsed": report.parsed,
        "unparseable": len(report.failures),
        "new_in_outbox": report.enqueued,
        "receipts": dict(sorted(report.receipts.items())),
        "outbox": counts,
        "timed_out": report.timed_out,
        "drafts_held": report.drafts_held,
        "drafts_superseded": len(report.drafts_superseded),
        "awaiting_review": report.awaiting_review,
        "conflicts": len(report.conflicts),
        "review": f"{report.awaiting_review} 份待审核草稿",
    }
    if report.awaiting_review:
        _err(f"{report.awaiting_review} 份待审核草稿未发布，请用 hub-connect review list 查看")
    typer.echo(json.dumps(summary, ensure_ascii=False))
    if report.undelivered:
        raise typer.Exit(2)
    if report.failures or report.rejected:
        raise typer.Exit(1)


def _conflict_text(reason: str | None) -> str:
    """A CONFLICT receipt for the agency's operator: what differs and what to do instead."""
    from hub.domain.integrity import conflict_fields

    fields = "、".join(conflict_fields(reason or "")) or "（未列出）"
    return (
        f"中心已存档该 event_id 的另一版本，内容不同的字段：{fields}；"
        "不会重发。如需更正或撤销已发布的决定，请发布引用原事件的更正/撤销事件"
    )


@app.command()
def status(
    agency: AgencyOption,
    data_dir: Annotated[Path | None, typer.Option(help="Data dir holding outbox/")] = None,
) -> None:
    """Print the outbox counts per state and every rejected event with the hub's reason."""
    from connectors._core.connector import ConnectorSettings
    from connectors._core.outbox import Outbox
    from hub.settings import load_settings

    hub = load_settings(**({"data_dir": data_dir} if data_dir is not None else {}))
    settings = ConnectorSettings.build(hub, agency)
    with Outbox.open(settings.outbox_path) as outbox:
        counts = {state.value: n for state, n in outbox.counts().items()}
        rejected = outbox.rejected()
    typer.echo(json.dumps({"agency": agency.value, "outbox": counts}, ensure_ascii=False))
    for event_id, label, reason in rejected:
        typer.echo(f"REJECTED {event_id} ({label}): {reason}")


@app.command("retry-rejected")
def retry_rejected(
    agency: AgencyOption,
    data_dir: Annotated[Path | None, typer.Option(help="Data dir holding outbox/")] = None,
) -> None:
    """Make rejected events due again (after fixing what the hub complained about)."""
    import time

    from connectors._core.connector import ConnectorSettings
    from connectors._core.outbox import Outbox
    from hub.settings import load_settings

    hub = load_settings(**({"data_dir": data_dir} if data_dir is not None else {}))
    settings = ConnectorSettings.build(hub, agency)
    with Outbox.open(settings.outbox_path) as outbox:
        count = outbox.requeue_rejected(time.time())
    typer.echo(f"{count} rejected event(s) queued for resending")


# -- review queue -------------------------------------------------------------------------------

OfficerOption = Annotated[str | None, typer.Option("--officer", help="审核人（默认：当前操作系统用户）")]
DataDirOption = Annotated[Path | None, typer.Option(help="Data dir holding keys/ and outbox/")]


def _officer(officer: str | None) -> str:
    import getpass

    return officer or getpass.getuser()


def _open_outbox(agency: Agency, data_dir: Path | None) -> Any:
    from connectors._core.outbox import Outbox

    return Outbox.open(_connector_settings(agency, None, data_dir).outbox_path)


def _draft_or_exit(outbox: Any, draft_id: str) -> Any:
    row = outbox.draft(draft_id)
    if row is None:
        _err(f"没有编号为 {draft_id} 的草稿（或编号前缀不唯一），请用 hub-connect review list 查看")
        raise typer.Exit(1)
    return row


@review_app.command("list")
def review_list(
    agency: AgencyOption,
    data_dir: DataDirOption = None,
    all_states: Annotated[bool, typer.Option("--all", help="也列出已处理的草稿")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table")] = False,
) -> None:
    """List drafts waiting for review: id, file, event type, case_no, missing fields."""
    from connectors._core.outbox import OutboxState

    states = tuple(OutboxState) if all_states else (OutboxState.NEEDS_REVIEW,)
    with _open_outbox(agency, data_dir) as outbox:
        rows = outbox.drafts(states)
    for row in rows:
        record = {
            "id": row.event_id, "state": row.state.value, "file": row.source, "event_type": row.event_type,
            "case_no": row.case_no or None, "missing": row.missing,
        }  # fmt: skip
        if as_json:
            typer.echo(json.dumps(record, ensure_ascii=False))
        else:
            missing = "、".join(row.missing) or "-"
            typer.echo(
                f"{row.event_id}  {row.state.value}  {row.source}  {row.event_type}  "
                f"{row.case_no or '（无案号）'}  缺少：{missing}"
            )
    if not as_json:
        waiting = sum(1 for r in rows if r.state is OutboxState.NEEDS_REVIEW)
        typer.echo(f"{waiting} 份待审核草稿")


@review_app.command("show")
def review_show(
    agency: AgencyOption,
    draft_id: Annotated[str, typer.Argument(metavar="ID", help="草稿编号（可用唯一前缀）")],
    data_dir: DataDirOption = None,
) -> None:
    """Print the draft JSON, its missing fields, its source and the review history."""
    import datetime as dt

    with _open_outbox(agency, data_dir) as outbox:
        row = _draft_or_exit(outbox, draft_id)
        history = outbox.review_log(row.event_id)
    typer.echo(f"草稿 {row.event_id}（{row.state.value}）")
    typer.echo(f"来源文件：{row.source}")
    if row.source_path:
        typer.echo(f"文件路径：{row.source_path}  sha256={row.source_sha256 or '?'}")
    typer.echo(f"缺少字段：{'、'.join(row.missing) or '无'}")
    if row.reason:
        typer.echo(f"驳回理由：{row.reason}")
    if row.superseded_by:
        typer.echo(f"已被完整文书事件 {row.superseded_by} 取代")
    typer.echo("草稿内容：")
    typer.echo(json.dumps(row.draft, ensure_ascii=False, indent=2))
    typer.echo("原文：")
    typer.echo(row.source_text if row.source_text else "（未保存原文，请按文件路径打开原件）")
    typer.echo("审核记录：")
    for action in history:
        when = dt.datetime.fromtimestamp(action.at, dt.UTC).isoformat(timespec="seconds")
        typer.echo(f"  {when}  {action.action}  {action.officer}  {action.detail or ''}".rstrip())


@review_app.command("complete")
def review_complete(
    agency: AgencyOption,
    draft_id: Annotated[str, typer.Argument(metavar="ID", help="草稿编号（可用唯一前缀）")],
    assignments: Annotated[
        list[str] | None, typer.Option("--set", help="字段=值，可重复；如 case_no=… 或 amounts.fine=5000")
    ] = None,
    from_file: Annotated[
        Path | None, typer.Option("--from-file", help="编辑后的草稿 JSON（整份替换草稿内容）")
    ] = None,
    officer: OfficerOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Fill in missing or wrong fields; each value is checked against the canonical event model."""
    import time

    from connectors._core import review
    from connectors._core.outbox import ReviewError

    if not assignments and from_file is None:
        _err("请给出 --set 字段=值 或 --from-file 文件")
        raise typer.Exit(1)
    with _open_outbox(agency, data_dir) as outbox:
        row = _draft_or_exit(outbox, draft_id)
        try:
            base = row.draft
            changed: list[str] = []
            if from_file is not None:
                base = _edited_draft(from_file, row.draft)
                changed += sorted(k for k in set(base) | set(row.draft) if base.get(k) != row.draft.get(k))
            pairs = [review.parse_assignment(a) for a in assignments or ()]
            changed += [field for field, _ in pairs]
            draft = review.apply(base, pairs)
            left = review.check(draft, row.missing, changed)
            draft = review.with_extraction(draft, left)
            outbox.update_draft(
                row.event_id, draft, left, _officer(officer), time.time(), "、".join(changed) or "无改动"
            )
        except (review.ReviewRefused, ReviewError) as exc:
            _err(f"已拒绝：{exc}")
            raise typer.Exit(1) from exc
    if left:
        typer.echo(f"草稿 {row.event_id} 已更新；仍缺少：{'、'.join(review.label(m) for m in left)}")
    else:
        typer.echo(f"草稿 {row.event_id} 已补全，可以 review approve")


def _edited_draft(path: Path, original: dict[str, Any]) -> dict[str, Any]:
    from connectors._core.review import ReviewRefused

    try:
        edited = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ReviewRefused(f"无法读取 {path.name}：{exc}") from exc
    if not isinstance(edited, dict):
        raise ReviewRefused(f"{path.name} 应是一个 JSON 对象（草稿内容）")
    for fixed in ("event_id", "agency"):
        if edited.get(fixed, original.get(fixed)) != original.get(fixed):
            raise ReviewRefused(f"字段 {fixed} 不能手工修改")
    # The extraction block is the connector's bookkeeping: kept from the stored draft.
    return {**edited, "event_id": original.get("event_id"), "agency": original.get("agency"),
            "extraction": original.get("extraction")}  # fmt: skip


@review_app.command("approve")
def review_approve(
    agency: AgencyOption,
    draft_id: Annotated[str, typer.Argument(metavar="ID", help="草稿编号（可用唯一前缀）")],
    officer: OfficerOption = None,
    send: Annotated[
        bool, typer.Option("--send/--no-send", help="批准后立即发布并等待回执（否则下次 publish 时发送）")
    ] = True,
    bootstrap: Annotated[str | None, typer.Option(help="Kafka bootstrap (default: HUB_BOOTSTRAP)")] = None,
    data_dir: DataDirOption = None,
    resend_after: Annotated[float, typer.Option(help="Seconds before an unanswered event is resent")] = 15.0,
    idle_timeout: Annotated[
        float, typer.Option(help="Stop after this many seconds without a receipt")
    ] = 120.0,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show a progress bar")] = False,
) -> None:
    """Approve a completed draft: it is signed, put in the outbox as PENDING and published."""
    import time

    from connectors._core import review
    from connectors._core.outbox import ReviewError
    from connectors._core.runner import ConnectorSetupError, DocumentConnector

    who = _officer(officer)
    settings = _connector_settings(
        agency, bootstrap, data_dir, resend_base_s=resend_after, idle_timeout_s=idle_timeout
    )

    def sign_and_approve(connector: DocumentConnector) -> None:
        row = _draft_or_exit(connector.outbox, draft_id)
        try:
            if row.state.value != "NEEDS_REVIEW":
                raise ReviewError(f"草稿 {row.event_id} 当前状态为 {row.state.value}，不在待审核队列中")
            event = review.finalize(row.draft, row.missing)
            if event.event_id != row.event_id or event.agency is not agency:
                raise review.ReviewRefused("草稿的 event_id 或机关与队列记录不符")
            connector.outbox.approve(connector.signer.entry(event, row.source), who, time.time())
        except (review.ReviewRefused, ReviewError) as exc:
            _err(f"已拒绝：{exc}")
            raise typer.Exit(1) from exc
        _err(f"草稿 {row.event_id} 已由 {who} 批准，已签名放入发件箱")

    if send:
        _run_and_report(settings, progress, before=sign_and_approve)
        return
    connector = DocumentConnector(settings)
    try:
        connector.setup()
        sign_and_approve(connector)
    except ConnectorSetupError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(3) from exc
    finally:
        connector.cleanup()
    typer.echo("已批准；下次运行 hub-connect publish 时发送")


@review_app.command("reject")
def review_reject(
    agency: AgencyOption,
    draft_id: Annotated[str, typer.Argument(metavar="ID", help="草稿编号（可用唯一前缀）")],
    reason: Annotated[str, typer.Option("--reason", help="驳回理由（必填）")],
    officer: OfficerOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Reject a draft: it is never published; the reason, officer and time are kept."""
    import time

    from connectors._core.outbox import ReviewError

    if not reason.strip():
        _err("已拒绝：驳回理由不能为空")
        raise typer.Exit(1)
    who = _officer(officer)
    with _open_outbox(agency, data_dir) as outbox:
        row = _draft_or_exit(outbox, draft_id)
        try:
            outbox.discard(row.event_id, reason.strip(), who, time.time())
        except ReviewError as exc:
            _err(f"已拒绝：{exc}")
            raise typer.Exit(1) from exc
    typer.echo(f"草稿 {row.event_id} 已由 {who} 驳回：{reason.strip()}")


app.add_typer(review_app, name="review")


class _progress_bar:
    """A rich progress bar on stderr fed by the runner's (resolved, total) hook."""

    def __init__(self, enabled: bool) -> None:
        self._enabled = enabled
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> Any:
        if not self._enabled:
            return None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("receipts"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=Console(stderr=True),
        )  # fmt: skip
        self._progress.start()
        self._task = self._progress.add_task("receipts", total=None)

        def hook(done: int, total: int) -> None:
            self._progress.update(self._task, completed=done, total=total)

        return hook

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
