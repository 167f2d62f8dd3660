"""A local SMTP server that delivers nothing: every message it receives is saved as a .eml file.

Used by `make demo` (tools/demo.sh) as the outgoing mail server of the demo database, so the
reminders and other emails Odoo sends can be read without any real mailbox:

    python3 tools/smtp_catcher.py --port 2525 --mailbox /tmp/receivable_demo_mail

Each message is written to MAILBOX/<UTC timestamp>-<n>.eml and logged on one line (sender,
recipients, subject). Requires aiosmtpd (`pip install -r tools/requirements-demo.txt`).

Odoo encodes bodies in base64; to read a saved message decoded (headers, text, attachments):

    python3 tools/smtp_catcher.py --show /tmp/receivable_demo_mail/<file>.eml
"""

import argparse
import email
import email.policy
import itertools
import logging
import signal
import sys
import threading
from datetime import UTC
from datetime import datetime
from pathlib import Path

from aiosmtpd.controller import Controller

_logger = logging.getLogger("smtp_catcher")


class MailboxHandler:
    """aiosmtpd handler: accept every recipient, save every message in ``mailbox``."""

    def __init__(self, mailbox):
        self.mailbox = Path(mailbox)
        self.mailbox.mkdir(parents=True, exist_ok=True)
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode()
        with self._lock:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%f")
            path = self.mailbox / f"{stamp}-{next(self._counter):05d}.eml"
            path.write_bytes(content)
        message = email.message_from_bytes(content, policy=email.policy.default)
        _logger.info(
            "from %s to %s: %s (%s)",
            envelope.mail_from,
            ", ".join(envelope.rcpt_tos),
            message.get("Subject", "(no subject)"),
            path.name,
        )
        return "250 Message accepted for delivery"


def show(paths):
    """Print saved messages decoded: main headers, the text body and the attachments' names."""
    for path in paths:
        message = email.message_from_bytes(Path(path).read_bytes(), policy=email.policy.default)
        print(f"==> {path}")
        for header in ("Date", "From", "To", "Cc", "Reply-To", "Subject"):
            if message[header]:
                print(f"{header}: {message[header]}")
        body = message.get_body(preferencelist=("plain", "html"))
        print()
        print(body.get_content().strip() if body else "(no text body)")
        for part in message.iter_attachments():
            size = len(part.get_payload(decode=True) or b"")
            print(f"[attachment] {part.get_filename()} ({part.get_content_type()}, {size} bytes)")
        print()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (loopback)")
    parser.add_argument("--port", type=int, default=2525)
    parser.add_argument(
        "--mailbox",
        default="/tmp/receivable_demo_mail",
        help="folder where the received messages are saved as .eml files",
    )
    parser.add_argument(
        "--show", nargs="+", metavar="EML", help="print saved messages decoded, then exit"
    )
    args = parser.parse_args(argv)
    if args.show:
        show(args.show)
        return 0
    # One line per message: aiosmtpd's own per-command log ("mail.log") stays at warnings.
    logging.basicConfig(
        level=logging.WARNING, format="[smtp_catcher] %(message)s", stream=sys.stdout
    )
    _logger.setLevel(logging.INFO)

    handler = MailboxHandler(args.mailbox)
    # Odoo sends full-size emails with PDF attachments: no size limit, 8BITMIME/SMTPUTF8 on.
    controller = Controller(
        handler, hostname=args.host, port=args.port, data_size_limit=0, enable_SMTPUTF8=True
    )
    controller.start()
    _logger.info("listening on %s:%s, saving messages in %s", args.host, args.port, handler.mailbox)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        stop.wait()
    finally:
        controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
