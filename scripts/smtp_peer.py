"""A real SMTP server on loopback for the tests (aiosmtpd, installed by scripts/test).

Usage: smtp_peer.py PORT OUT_DIR

Every message accepted is written to OUT_DIR as NNNNNN.eml (the bytes received) and
NNNNNN.json (envelope, decoded headers and the decoded text body), so tests read back what a
mail client would show. Prints "ready" once listening and exits when its standard input closes
(the test process ended).
"""

import email
import email.policy
import json
import pathlib
import sys

from aiosmtpd.controller import Controller


class Recorder:
    def __init__(self, out: pathlib.Path):
        self.out = out
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        part = msg.get_body(preferencelist=("plain",))
        self.count += 1
        name = f"{self.count:06d}"
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "from": str(msg.get("From", "")),
            "to": str(msg.get("To", "")),
            "subject": str(msg.get("Subject", "")),
            "content_type": msg.get_content_type(),
            "charset": (part.get_content_charset() if part is not None else None),
            "body": (part.get_content() if part is not None else ""),
        }
        (self.out / f"{name}.eml").write_bytes(raw)
        tmp = self.out / f".{name}.json"
        tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        tmp.rename(self.out / f"{name}.json")
        return "250 Message accepted for delivery"


def main() -> None:
    port = int(sys.argv[1])
    out = pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    controller = Controller(Recorder(out), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
