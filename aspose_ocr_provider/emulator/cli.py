"""The ``aspose-ocr-emulator`` command: serve the emulator until interrupted.

Its first stdout line is ``Listening on http://HOST:PORT`` (flushed), so a script can start it
with ``--port 0`` and read the address. Everything else (logs) goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
from collections.abc import Sequence
from typing import Any

from aiohttp import web

from aspose_ocr_provider.emulator.app import create_app
from aspose_ocr_provider.emulator.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, EmulatorConfig
from aspose_ocr_provider.emulator.engines import ENGINE_NAMES
from aspose_ocr_provider.emulator.faults import ENDPOINTS, FAULT_KINDS

log = logging.getLogger("aspose_ocr_provider.emulator")

SECRET_ENV = "ASPOSE_OCR_EMULATOR_CLIENT_SECRET"
CLIENT_ID_ENV = "ASPOSE_OCR_EMULATOR_CLIENT_ID"


def _fault_spec(value: str) -> tuple[str, dict[str, Any]]:
    """``ENDPOINT:RATE[:KIND,KIND...]`` -> (endpoint, rule dict)."""
    parts = value.split(":")
    if len(parts) not in (2, 3):
        raise argparse.ArgumentTypeError(
            f"--fault {value!r}: write ENDPOINT:RATE[:KINDS], e.g. result:0.2:429,503,drop "
            f"(endpoints: {', '.join(ENDPOINTS)}, *; kinds: {', '.join(FAULT_KINDS)})."
        )
    try:
        rate = float(parts[1])
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--fault {value!r}: the rate {parts[1]!r} is not a number."
        ) from None
    rule: dict[str, Any] = {"rate": rate}
    if len(parts) == 3:
        rule["kinds"] = [k for k in parts[2].split(",") if k]
    return parts[0], rule


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aspose-ocr-emulator",
        description="Local emulator of the Aspose.OCR Cloud v5.0 table-recognition API (offline, no billing).",
    )
    net = parser.add_argument_group("network and credentials")
    net.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    net.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default 0)")
    net.add_argument(
        "--client-id",
        default=os.environ.get(CLIENT_ID_ENV, DEFAULT_CLIENT_ID),
        help=f"client id accepted by /connect/token (default ${CLIENT_ID_ENV} or {DEFAULT_CLIENT_ID!r})",
    )
    net.add_argument(
        "--client-secret",
        default=os.environ.get(SECRET_ENV, DEFAULT_CLIENT_SECRET),
        help=f"client secret (default ${SECRET_ENV} or {DEFAULT_CLIENT_SECRET!r}; prefer the variable, "
        "arguments are visible to other users in the process list)",
    )
    eng = parser.add_argument_group("recognition")
    eng.add_argument(
        "--engine", default="fixtures", choices=ENGINE_NAMES, help="recognition engine (default fixtures)"
    )
    eng.add_argument(
        "--fixtures",
        dest="fixtures_dir",
        metavar="DIR",
        help="folder of image + same-stem .csv pairs (default: package samples)",
    )
    eng.add_argument("--workers", type=int, default=4, help="engine threads (default 4)")
    queue = parser.add_argument_group(
        "queue timing (a phase ends when both its polls and seconds are reached)"
    )
    queue.add_argument(
        "--pending-polls", type=int, default=1, help="status reads answered Pending (default 1)"
    )
    queue.add_argument("--processing-polls", type=int, default=1, help="then answered Processing (default 1)")
    queue.add_argument(
        "--pending-seconds", type=float, default=0.0, help="seconds at least Pending (default 0)"
    )
    queue.add_argument(
        "--processing-seconds", type=float, default=0.0, help="then at least Processing (default 0)"
    )
    queue.add_argument(
        "--retention", type=float, default=86400.0, help="seconds results stay readable (default 86400)"
    )
    auth = parser.add_argument_group("tokens")
    auth.add_argument(
        "--token-ttl", type=float, default=3600.0, help="token lifetime, expires_in (default 3600)"
    )
    auth.add_argument(
        "--token-failure-limit", type=int, default=5, help="a credential pair failing more often than this gets 429 (default 5)"
    )
    auth.add_argument(
        "--token-lockout-seconds", type=float, default=600.0, help="429 lockout length (default 600)"
    )
    auth.add_argument(
        "--revoke-after", type=int, default=None, metavar="USES", help="revoke each token after USES requests"
    )
    faults = parser.add_argument_group("fault injection")
    faults.add_argument(
        "--fault",
        action="append",
        default=[],
        type=_fault_spec,
        metavar="ENDPOINT:RATE[:KINDS]",
        help=f"e.g. result:0.2:429,503,drop; endpoints {', '.join(ENDPOINTS)}, *; kinds {', '.join(FAULT_KINDS)}. Repeatable.",
    )
    faults.add_argument(
        "--fault-retry-after", type=int, default=1, help="Retry-After of injected 429/503 (default 1)"
    )
    faults.add_argument(
        "--fault-slow-seconds", type=float, default=1.0, help="delay of 'slow' faults (default 1)"
    )
    faults.add_argument(
        "--faults-json",
        metavar="JSON",
        help='full fault map, e.g. \'{"*": {"rate": 0.1, "kinds": ["500"]}}\'',
    )
    faults.add_argument(
        "--fault-seed", type=int, default=None, help="seed of the fault streams (default random)"
    )
    faults.add_argument(
        "--task-error-rate", type=float, default=0.0, help="fraction of tasks that end in Error"
    )
    parser.add_argument("--access-log", action="store_true", help="log every request to stderr")
    parser.add_argument("--log-level", default="INFO", help="stderr log level (default INFO)")
    return parser


def config_from_args(args: argparse.Namespace) -> EmulatorConfig:
    fault_map: dict[str, Any] = {}
    if args.faults_json:
        fault_map.update(json.loads(args.faults_json))
    for endpoint, rule in args.fault:
        rule.setdefault("retry_after", args.fault_retry_after)
        rule.setdefault("slow_seconds", args.fault_slow_seconds)
        fault_map[endpoint] = rule
    return EmulatorConfig(
        client_id=args.client_id,
        client_secret=args.client_secret,
        engine=args.engine,
        fixtures_dir=args.fixtures_dir,
        workers=args.workers,
        pending_polls=args.pending_polls,
        processing_polls=args.processing_polls,
        pending_seconds=args.pending_seconds,
        processing_seconds=args.processing_seconds,
        retention=args.retention,
        token_ttl=args.token_ttl,
        token_failure_limit=args.token_failure_limit,
        token_lockout_seconds=args.token_lockout_seconds,
        revoke_after=args.revoke_after,
        fault_seed=args.fault_seed,
        faults=fault_map,
        task_error_rate=args.task_error_rate,
    )


def format_url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


async def serve(config: EmulatorConfig, host: str, port: int, access_log: bool = False) -> None:
    """Serve until SIGINT or SIGTERM, announcing the address on stdout first."""
    app = create_app(config)
    runner = web.AppRunner(app, access_log=log if access_log else None, shutdown_timeout=2.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound_host, bound_port = runner.addresses[0][:2]
    sys.stdout.write(f"Listening on {format_url(str(bound_host), int(bound_port))}\n")
    sys.stdout.flush()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        config = config_from_args(args)
    except (ValueError, TypeError) as exc:
        parser.error(str(exc))
    try:
        asyncio.run(serve(config, args.host, args.port, args.access_log))
    except OSError as exc:
        print(f"aspose-ocr-emulator: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    except RuntimeError as exc:
        print(f"aspose-ocr-emulator: {exc}", file=sys.stderr)
        return 2
    return 0
