"""Run ``sandogh demo`` for a test in a process of its own.

The command is the real one; only serving is replaced (the bound server prints
``SERVED <port>`` and closes) and the demo is the book's fund with a small
register, so a test sees what the command wrote and gets its exit code back.
"""

from __future__ import annotations

import sys
from typing import Any

from web import demo, demo_serve
from web.cli import main


def serve(server: Any) -> None:
    print(f"SERVED {server.port}")
    server.server_close()


def small_demo(session: Any) -> bool:
    return real_load(session, 150, generated_funds=False)


real_load = demo.load_demo_if_empty

if __name__ == "__main__":
    demo_serve.serve = serve
    demo.load_demo_if_empty = small_demo  # type: ignore[assignment]
    main(["demo", *sys.argv[1:]])
