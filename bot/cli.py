"""Command line: `python -m bot <command>` (the Makefile calls these).

    setup        build the spaCy pipeline and migrate the database
    migrate      bring the database schema up to date (Alembic)
    train        train the model if data or config changed (--force to always)
    run          start the action server, Rasa and the web page; Ctrl-C stops all
    shell        chat in the terminal
    export       staff export: --what self-checks|feedback|unanswered|handoffs --format csv|json
    report       write the staff insight report (HTML + CSVs)
    seed-sample  add made-up sample data to the database (demos only)
    retention    delete stored records older than RETENTION_DAYS
"""
from __future__ import annotations

import argparse
import csv
import json
import signal
import subprocess
import sys
import time
from typing import Any, List, Mapping, Optional, Sequence

from bot.csvsafe import csv_safe
from bot.settings import ROOT, load_settings


def cmd_setup(args: argparse.Namespace) -> int:
    from bot import db, spacy_model

    path = spacy_model.build()
    print(f"==> spaCy pipeline ready ({path.relative_to(ROOT)})")
    db.migrate()
    print("==> Database schema up to date")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from bot import db

    db.migrate()
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from bot.runner import train

    train(load_settings(), force=args.force)
    return 0


def _prepared_stack():
    """Settings, a not-yet-started Stack and its environment, after migrating and training if needed."""
    from bot import db
    from bot.runner import Stack, stack_env, train

    settings = load_settings()
    db.migrate()
    train(settings)
    return settings, Stack(settings), stack_env(settings)


def cmd_run(args: argparse.Namespace) -> int:
    from bot.runner import check_ports
    from bot.web import serve

    from bot.organisation import current, demo_warning

    settings, stack, env = _prepared_stack()
    warning = demo_warning(current(), settings.on_loopback)
    if warning:
        print(warning)
    _purge_expired(settings.retention_days)
    web = None

    def _stop(*_):
        raise KeyboardInterrupt

    # Ctrl-C and SIGTERM both stop everything cleanly, also during start-up
    # (and also when a parent shell started us with SIGINT ignored)
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(line_buffering=True)
    try:
        check_ports(settings)
        print("==> Starting the action server and the Rasa server (about 15 s)")
        stack.start_actions(env)
        stack.start_rasa(env)
        stack.wait_ready(timeout=180)
        web = serve(settings, report=_report_html)
        print()
        print(f"  Chat with the assistant:  {settings.web_url}/")
        print(f"  REST channel:             {settings.rasa_url}/webhooks/rest/webhook")
        print("  Logs:                     var/log/")
        print("  Press Ctrl-C to stop.")
        while True:
            for name, proc in stack.procs.items():
                if proc.poll() is not None:
                    print(f"!! The {name} server stopped unexpectedly. Last lines of its log:\n{stack.tail(name)}")
                    return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    except (RuntimeError, TimeoutError) as exc:
        print(f"!! Could not start: {exc}")
        for name in stack.procs:
            print(f"--- {name} log ---\n{stack.tail(name)}")
        return 1
    finally:
        print("\n==> Stopping...")
        if web:
            web.shutdown()
        stack.stop()
        print("==> Stopped.")
    return 0


def cmd_shell(args: argparse.Namespace) -> int:
    from bot.runner import model_path

    settings, stack, env = _prepared_stack()
    stack.start_actions(env)
    try:
        stack.wait_ready(timeout=60)
        return subprocess.call([sys.executable, "-m", "bot.rasa_ext.server", "shell", "--model", str(model_path(settings)),
                                "--endpoints", "endpoints.yml", "--port", str(settings.rasa_port)], cwd=ROOT, env=env)
    finally:
        stack.stop()


def _rows(what: str) -> Sequence[Mapping[str, Any]]:
    """The rows of a staff export, from the read side (`bot.views`)."""
    from bot import views
    from bot.db import session_scope

    with session_scope() as s:
        if what == "unanswered":
            return views.export_unanswered(s)
        if what == "feedback":
            return views.export_feedback(s)
        if what == "handoffs":
            return views.handoffs(s)
        return views.export_self_checks(s)


def cmd_export(args: argparse.Namespace) -> int:
    rows = _rows(args.what)
    out = open(args.output, "w", newline="", encoding="utf-8") if args.output else sys.stdout
    try:
        if args.format == "json":
            json.dump(rows, out, indent=2, ensure_ascii=False)
            out.write("\n")
        else:
            if rows:
                writer = csv.DictWriter(out, fieldnames=list(rows[0]))
                writer.writeheader()
                for row in rows:
                    writer.writerow({k: csv_safe(v) for k, v in row.items()})
    finally:
        if out is not sys.stdout:
            out.close()
    if args.output:
        print(f"Wrote {len(rows)} rows to {args.output}", file=sys.stderr)
    return 0


def _report_html() -> str:
    from bot import report

    return report.render_html()


def cmd_report(args: argparse.Namespace) -> int:
    from bot import report

    path = report.write(args.out)
    print(f"Wrote {path}")
    return 0


def cmd_seed_sample(args: argparse.Namespace) -> int:
    from bot import db
    from bot.db import session_scope
    from bot.sample_data import seed_sample

    db.migrate()
    with session_scope() as s:
        counts = seed_sample(s, n_staff=args.staff, n_consumer=args.consumer, n_feedback=args.feedback, seed=args.seed)
    print(json.dumps(counts))
    return 0


def _purge_expired(days: int) -> dict:
    """Apply the retention period (also run at every start of `make run`)."""
    from bot import repository
    from bot.db import session_scope

    with session_scope() as s:
        return repository.purge_older_than(s, days)


def cmd_retention(args: argparse.Namespace) -> int:
    days = args.days if args.days is not None else load_settings().retention_days
    print(json.dumps({"days": days, **_purge_expired(days)}))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bot", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("setup").set_defaults(func=cmd_setup)
    sub.add_parser("migrate").set_defaults(func=cmd_migrate)
    t = sub.add_parser("train")
    t.add_argument("--force", action="store_true")
    t.set_defaults(func=cmd_train)
    sub.add_parser("run").set_defaults(func=cmd_run)
    sub.add_parser("shell").set_defaults(func=cmd_shell)
    e = sub.add_parser("export")
    e.add_argument("--what", choices=("self-checks", "feedback", "unanswered", "handoffs"), required=True)
    e.add_argument("--format", choices=("csv", "json"), default="csv")
    e.add_argument("--output", "-o")
    e.set_defaults(func=cmd_export)
    r = sub.add_parser("report")
    r.add_argument("--out", default=str(ROOT / "var" / "report"))
    r.set_defaults(func=cmd_report)
    sd = sub.add_parser(
        "seed-sample", help="demos only: add made-up sample data to the database",
        description="FOR DEMOS ONLY: adds made-up self-checks, feedback and unanswered questions to the "
                    "database (DATABASE_URL) so the report has something to show. Never run it on real data.")
    sd.add_argument("--staff", type=int, default=12, help="staff self-checks (default 12)")
    sd.add_argument("--consumer", type=int, default=20, help="consumer self-checks (default 20)")
    sd.add_argument("--feedback", type=int, default=10, help="feedback responses (default 10)")
    sd.add_argument("--seed", type=int, default=1, help="random seed; the same seed gives the same data (default 1)")
    sd.set_defaults(func=cmd_seed_sample)
    rt = sub.add_parser("retention")
    rt.add_argument("--days", type=int)
    rt.set_defaults(func=cmd_retention)
    return p


def main(argv: Optional[List[str]] = None) -> int:
    from bot.errors import CoprodError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CoprodError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
