"""Many treasurers at once, through the production server: ``sandogh bench concurrency``.

Each client is a treasurer's phone: it logs in, opens the meeting sheet of its fund,
fills it (everyone present, one share each) and posts it, again and again until the
time is up. Most clients have a fund of their own; a few share one fund, so they race
for the same meeting (same date): one posts it, the other is refused with a message
(422 with the sheet kept) — a refusal, not an error. A 409 ("try again") after waiting
for the lock longer than the busy timeout is counted apart: a refusal with a message,
not a server error, but a sign the machine cannot keep up. Every fifth meeting a
client sends the same sheet twice at once, on two connections, as a double tap or a
retried request would: both must answer with the one meeting posted.

Errors are everything else: a 5xx, a page that is neither the meeting nor the sheet
with its message, a connection that failed. Afterwards the database is checked: no
two closed meetings of one fund with the same number or day, exactly the meetings the
clients were told were posted, and ``ledger verify`` finds nothing.

Only loopback: the server is started on 127.0.0.1 by the command and stopped after.
"""

from __future__ import annotations

import http.client
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bench.ledger import Progress, percentile
from bench.meetings import constitution
from groups.savings.funds import add_member, create_fund, start_cycle
from groups.savings.models import Meeting
from ledger.verify import verify

Figures = dict[str, Any]
#: Far enough back that a minute of weekly meetings stays in the past.
FOUNDED = date(1990, 1, 1)
MEMBERS = 10
TWICE_EVERY = 5


@dataclass(frozen=True)
class ConcurrencyConfig:
    """How many clients, on how many funds, for how long."""

    clients: int = 20  # each on a fund of its own
    shared_clients: int = 2  # all on one more fund
    seconds: float = 60.0
    workers: int = 4


@dataclass
class Tally:
    """What the clients saw, added up under a lock."""

    posted: set[int] = field(default_factory=set)
    refused: int = 0
    busy: int = 0
    replays_same: int = 0
    errors: list[str] = field(default_factory=list)
    post_seconds: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, outcome: Outcome) -> None:
        with self.lock:
            self.post_seconds.append(outcome.seconds)
            if outcome.meeting_id is not None:
                self.posted.add(outcome.meeting_id)
            elif outcome.error:
                self.errors.append(outcome.error)
            elif outcome.busy:
                self.busy += 1
            else:
                self.refused += 1


@dataclass(frozen=True)
class Outcome:
    """One POST: the meeting it answered with, or a refusal, or an error."""

    seconds: float
    meeting_id: int | None = None
    error: str = ""
    #: Refused after waiting for the lock longer than the busy timeout (409).
    busy: bool = False


def create_funds(engine: Engine, count: int) -> list[int]:
    """Create the benchmark's funds (ten members, an open cycle each); return their ids."""
    ids = []
    with Session(engine) as session:
        for n in range(count):
            fund_id = create_fund(session, name=f"Race fund {n + 1}", founded_on=FOUNDED).fund_id
            start_cycle(session, fund_id, FOUNDED, constitution())
            for m in range(MEMBERS):
                add_member(session, fund_id, f"Member {m + 1}", FOUNDED)
            ids.append(fund_id)
        session.commit()
    return ids


class Client:
    """A browser: keeps the session cookie, reads forms (a fresh connection per request)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookie = ""

    def clone(self) -> Client:
        """Return a second tab of the same logged-in browser."""
        twin = Client(self.port)
        twin.cookie = self.cookie
        return twin

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str, str]:
        """Send a request; return its status, Location and body."""
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = urlencode(form) if form is not None else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        # A connection per request: a kept-alive one the server closed while this client
        # waited would fail where a browser silently reconnects.
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, response.getheader("Location") or "", text

    def login(self, username: str, password: str) -> None:
        _, _, page = self.request("GET", "/login")
        form = {
            "username": username,
            "password": password,
            "csrf_token": field_value(page, "csrf_token"),
        }
        status, _, _ = self.request("POST", "/login", form)
        if status != 302:
            raise RuntimeError(f"login failed with {status}")


def field_value(page: str, name: str) -> str:
    """Return the value of the form's input of that name."""
    found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', page
    )
    if found is None:
        raise ValueError(f"no {name} in the page")
    return found.group(1)


def filled_sheet(page: str) -> dict[str, str]:
    """Return the sheet as a treasurer sends it: everyone present with one share."""
    form = {name: field_value(page, name) for name in ("csrf_token", "idempotency_key", "date")}
    for member_id in sorted(set(re.findall(r'name="m-(\d+)-shares"', page))):
        form[f"m-{member_id}-attendance"] = "present"
        form[f"m-{member_id}-shares"] = "1"
        form[f"m-{member_id}-social"] = str(constitution().social_contribution)
    form["step"] = "post"
    return form


def post_sheet(client: Client, path: str, form: dict[str, str]) -> Outcome:
    """Post the sheet; classify the answer."""
    started = time.perf_counter()
    try:
        status, location, page = client.request("POST", path, form)
    except (OSError, http.client.HTTPException) as error:
        return Outcome(time.perf_counter() - started, error=f"connection: {error}")
    seconds = time.perf_counter() - started
    posted = re.search(r"/meetings/(\d+)$", location) if status == 302 else None
    if posted:
        return Outcome(seconds, meeting_id=int(posted.group(1)))
    if status == 422 and 'class="error"' in page and form["idempotency_key"] in page:
        return Outcome(seconds)  # refused with a message (the sheet kept): another came first
    if status == 409 and 'class="error"' in page:
        return Outcome(seconds, busy=True)  # waited past the busy timeout: "try again"
    return Outcome(seconds, error=f"{status} {location} {page[:200]!r}")


def client_loop(
    client: Client, fund_id: int, until: float, tally: Tally, record_twice: Callable[[int], bool]
) -> None:
    """Record meetings of the fund until the time is up."""
    path = f"/funds/{fund_id}/meetings/new"
    sent = 0
    while time.perf_counter() < until:
        try:
            status, _, page = client.request("GET", path)
            form = filled_sheet(page) if status == 200 else None
        except (OSError, http.client.HTTPException, ValueError) as error:
            tally.add(Outcome(0.0, error=f"sheet: {error}"))
            continue
        if form is None:
            tally.add(Outcome(0.0, error=f"sheet answered {status}"))
            continue
        sent += 1
        if record_twice(sent):
            both = twice_at_once(client, path, form)
            for outcome in both:
                tally.add(outcome)
            if both[0].meeting_id is not None and both[0].meeting_id == both[1].meeting_id:
                with tally.lock:
                    tally.replays_same += 1
        else:
            tally.add(post_sheet(client, path, form))


def twice_at_once(client: Client, path: str, form: dict[str, str]) -> list[Outcome]:
    """Send the same sheet on two connections at the same moment."""
    twin = client.clone()
    results: list[Outcome] = [Outcome(0.0), Outcome(0.0)]
    barrier = threading.Barrier(2)

    def send(index: int, browser: Client) -> None:
        barrier.wait()
        results[index] = post_sheet(browser, path, form)

    threads = [threading.Thread(target=send, args=(i, c)) for i, c in enumerate((client, twin))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def run_clients(
    port: int,
    own_funds: Sequence[int],
    shared_fund: int,
    config: ConcurrencyConfig,
    login: tuple[str, str],
    progress: Progress = print,
) -> tuple[Tally, float]:
    """Log every client in, then let them all record meetings for the configured time."""
    assignments = [*own_funds[: config.clients], *[shared_fund] * config.shared_clients]
    clients = [Client(port) for _ in assignments]
    for client in clients:
        client.login(*login)
    tally = Tally()
    progress(f"{len(clients)} clients recording meetings for {config.seconds:g} s …")
    started = time.perf_counter()
    until = started + config.seconds
    threads = [
        threading.Thread(
            target=client_loop,
            args=(client, fund_id, until, tally, lambda n: n % TWICE_EVERY == 0),
        )
        for client, fund_id in zip(clients, assignments, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, time.perf_counter() - started


def check_books(engine: Engine, tally: Tally) -> Figures:
    """Count duplicates and meetings nobody was told of; verify the ledger."""
    with Session(engine) as session:
        closed = select(Meeting).where(Meeting.status == "closed", Meeting.kind == "regular")
        rows = session.scalars(closed).all()
        by_number = {(m.fund_id, m.number) for m in rows}
        by_day = {(m.fund_id, m.date) for m in rows}
        problems = verify(session)
        meetings = session.scalar(select(func.count()).select_from(closed.subquery()))
    ids = {m.id for m in rows}
    return {
        "meetings_in_database": meetings,
        "duplicates": (len(rows) - len(by_number)) + (len(rows) - len(by_day)),
        "posted_but_missing": len(tally.posted - ids),
        "in_database_but_not_answered": len(ids - tally.posted),
        "verify_problems": [str(p) for p in problems[:10]],
        "verify_ok": not problems,
    }


def figures_of(tally: Tally, wall_s: float, books: Figures, config: ConcurrencyConfig) -> Figures:
    """Return the benchmark's figures."""
    posts = tally.post_seconds or [0.0]
    return {
        "config": asdict(config),
        "wall_s": wall_s,
        "posts": len(tally.post_seconds),
        "meetings_posted": len(tally.posted),
        "meetings_per_s": len(tally.posted) / wall_s if wall_s else 0.0,
        "refused_lost_race": tally.refused,
        "refused_busy_timeout": tally.busy,
        "double_sends_answered_with_one_meeting": tally.replays_same,
        "errors": len(tally.errors),
        "first_errors": tally.errors[:5],
        "post_p50_ms": percentile(posts, 0.50) * 1000,
        "post_p95_ms": percentile(posts, 0.95) * 1000,
        "post_max_ms": max(posts) * 1000,
        **books,
    }


def ok(figures: Figures) -> bool:
    """Return whether the run met the bar: no error, no duplicate, every answer true, books OK."""
    return bool(
        figures["errors"] == 0
        and figures["duplicates"] == 0
        and figures["posted_but_missing"] == 0
        and figures["in_database_but_not_answered"] == 0
        and figures["verify_ok"]
        and figures["meetings_posted"] > 0
    )


def render(figures: Figures, database: str) -> str:
    """Return the figures as the lines the command prints."""
    config = figures["config"]
    mismatches = figures["posted_but_missing"] + figures["in_database_but_not_answered"]
    lines = [
        f"Concurrency on {database}: {config['clients']} clients on their own funds + "
        f"{config['shared_clients']} on one fund, {figures['wall_s']:.1f} s, "
        f"gunicorn with {config['workers']} workers",
        f"  meetings posted        {figures['meetings_posted']} "
        f"({figures['meetings_per_s']:.1f}/s), from {figures['posts']} posts",
        f"  refused (lost a race)  {figures['refused_lost_race']}",
        f"  refused (busy > timeout) {figures['refused_busy_timeout']}",
        f"  double sends → 1 meeting {figures['double_sends_answered_with_one_meeting']}",
        f"  post latency           p50 {figures['post_p50_ms']:.0f} ms, "
        f"p95 {figures['post_p95_ms']:.0f} ms, max {figures['post_max_ms']:.0f} ms",
        f"  errors                 {figures['errors']}",
        f"  duplicates             {figures['duplicates']}",
        f"  answers ≠ database     {mismatches}",
        f"  ledger verify          {'OK' if figures['verify_ok'] else figures['verify_problems']}",
        f"  result                 {'OK' if ok(figures) else 'FAILED'}",
    ]
    lines += [f"  error: {e}" for e in figures["first_errors"]]
    return "\n".join(lines)
