"""Inbox and outbox against PostgreSQL only: concurrent copies applied once, handler outcomes, SKIP LOCKED claims."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime

import psycopg
import pytest
import sqlalchemy as sa
from hub_network import EXAMPLE

from factories import add_samu
from sisamu.hubsante import outbox
from sisamu.hubsante.envelope import DistributionKind, HubMessage, new_message, parse_document
from sisamu.hubsante.inbox import Inbox, RejectMessageError
from sisamu.hubsante.message_types import RS_EDA
from sisamu.hubsante.relay import OutboxRelay
from sisamu.hubsante.replies import ErrorCode
from sisamu.hubsante.transport import TransportSettings
from sisamu.storage.bus import MessageBus
from sisamu.storage.uow import UnitOfWork

pytestmark = pytest.mark.db
US, THEM = "fr.health.samu680", "fr.health.samu250"


@pytest.fixture
def engine(platform, owner_database_url):
    with platform.engine.begin() as conn:
        add_samu(conn, "680", hub_id=US)
    owner = sa.create_engine(owner_database_url)  # the application's role creates no table
    with owner.begin() as conn:
        conn.execute(sa.text("CREATE TABLE applied_log (distribution_id text NOT NULL)"))
    owner.dispose()
    return platform.engine


def _incoming() -> HubMessage:
    body = parse_document(json.loads(EXAMPLE.read_text(encoding="utf-8"))).body
    return new_message(RS_EDA, body, sender_id=THEM, recipient_id=US, sent_at=datetime.now(UTC))


def _log(uow: UnitOfWork, message: HubMessage) -> None:
    uow.execute(sa.text("INSERT INTO applied_log VALUES (:d)"), {"d": message.distribution_id})


def _count(engine, sql: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(sql)).scalar_one())


def test_concurrent_copies_are_applied_once(engine) -> None:
    inbox = Inbox(lambda: UnitOfWork(engine, MessageBus()), "680", US, handlers={"RS-EDA": _log})
    body = json.dumps(_incoming().to_envelope()).encode()
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def receive() -> None:
        barrier.wait()
        outcomes.append(inbox.receive(body).status)

    threads = [threading.Thread(target=receive) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["applied", "duplicate", "duplicate", "duplicate"]
    assert _count(engine, "SELECT count(*) FROM applied_log") == 1
    assert _count(engine, "SELECT deliveries FROM hub_inbox") == 4
    assert _count(engine, "SELECT count(*) FROM hub_outbox WHERE kind = 'Ack'") == 1


def test_an_applied_message_costs_two_statements_and_wakes_the_relay_at_commit(engine, platform) -> None:
    """The inbox's serial path (benchmarks/hub.py): the inbox row carries `acked_at` from its INSERT and the
    outbox's INSERT carries the relay's notification; nothing else is sent but BEGIN and COMMIT."""
    inbox = Inbox(lambda: UnitOfWork(engine, MessageBus()), "680", US)
    body = json.dumps(_incoming().to_envelope()).encode()
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    with psycopg.connect(platform.database.libpq_url, autocommit=True) as listener:
        listener.execute(f"LISTEN {outbox.NOTIFY_CHANNEL}")
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            outcome = inbox.receive(body)
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        woken = [n.payload for n in listener.notifies(timeout=5, stop_after=1)]
    assert outcome.applied
    assert len(statements) == 2, statements
    assert woken == ["680"]
    with engine.connect() as conn:
        acked, applied = conn.execute(sa.text("SELECT acked_at, applied_at FROM hub_inbox")).one()
        ack_kind = conn.execute(sa.text("SELECT kind FROM hub_outbox")).scalar_one()
    assert acked is not None
    assert acked == applied
    assert ack_kind == "Ack"


def test_an_ack_is_recorded_without_acked_at(engine) -> None:
    """Acks are never answered: their inbox row has no `acked_at`, and nothing goes to the outbox."""
    inbox = Inbox(lambda: UnitOfWork(engine, MessageBus()), "680", US)
    ack = new_message(
        "RC-REF",
        {"distributionID": "x_1"},
        sender_id=THEM,
        recipient_id=US,
        sent_at=datetime.now(UTC),
        kind=DistributionKind.ACK,
    )
    assert inbox.receive(json.dumps(ack.to_envelope()).encode()).applied
    assert _count(engine, "SELECT count(*) FROM hub_inbox WHERE acked_at IS NULL") == 1
    assert _count(engine, "SELECT count(*) FROM hub_outbox") == 0


def test_a_refusing_handler_rolls_back_and_answers_with_its_code(engine) -> None:
    def refuse(uow: UnitOfWork, message: HubMessage) -> None:
        _log(uow, message)
        raise RejectMessageError(ErrorCode.CASE_ALREADY_EXISTS, "case already shared")

    outcome = Inbox(lambda: UnitOfWork(engine, MessageBus()), "680", US, handlers={"RS-EDA": refuse}).receive(
        json.dumps(_incoming().to_envelope()).encode()
    )
    assert (outcome.status, outcome.error) == ("invalid", "case already shared")
    assert _count(engine, "SELECT count(*) FROM applied_log") == 0  # the handler's writes were rolled back
    with engine.connect() as conn:
        [report] = conn.execute(sa.text("SELECT kind, recipient, body FROM hub_outbox")).mappings()
    assert (report["kind"], report["recipient"]) == ("Error", THEM)
    error = report["body"]["content"][0]["jsonContent"]["embeddedJsonContent"]["message"]["error"]
    assert error["errorCode"] == {"statusCode": 701, "statusString": "CASE_ALREADY_EXISTS"}


def test_a_failing_handler_is_kept_as_invalid_with_an_internal_error(engine) -> None:
    def crash(uow: UnitOfWork, message: HubMessage) -> None:
        raise KeyError("bug")

    outcome = Inbox(lambda: UnitOfWork(engine, MessageBus()), "680", US, default_handler=crash).receive(
        json.dumps(_incoming().to_envelope()).encode()
    )
    assert outcome.status == "invalid"
    with engine.connect() as conn:
        code = conn.execute(
            sa.text(
                "SELECT body #> '{content,0,jsonContent,embeddedJsonContent,message,error,errorCode,statusCode}'"
                " FROM hub_outbox"
            )
        ).scalar_one()
    assert code == ErrorCode.INTERNAL_CLIENT_ERROR


def test_an_invalid_ack_is_kept_but_never_answered(engine) -> None:
    envelope = _incoming().to_envelope()
    envelope["distributionKind"] = "Ack"
    del envelope["descriptor"]["language"]
    outcome = Inbox(lambda: UnitOfWork(engine, MessageBus()), "680", US).receive(
        json.dumps(envelope).encode()
    )
    assert outcome.status == "invalid"
    assert outcome.reply_id is None
    assert _count(engine, "SELECT count(*) FROM hub_outbox") == 0


def test_enqueue_refuses_a_schema_invalid_message(engine) -> None:
    message = new_message(RS_EDA, {"caseId": 12}, sender_id=US, recipient_id=THEM, sent_at=datetime.now(UTC))
    with (
        pytest.raises(outbox.InvalidOutgoingMessageError, match="createCaseHealth"),
        UnitOfWork(engine, MessageBus()) as uow,
    ):
        outbox.enqueue(uow, message, samu_id="680")
    assert _count(engine, "SELECT count(*) FROM hub_outbox") == 0


def test_two_relays_never_claim_the_same_rows(engine) -> None:
    for _ in range(6):
        with UnitOfWork(engine, MessageBus()) as uow:
            reply = new_message(
                "RC-REF",
                {"distributionID": "x_1"},
                sender_id=US,
                recipient_id=THEM,
                sent_at=datetime.now(UTC),
            )
            outbox.enqueue(uow, reply, samu_id="680")
    with engine.connect() as first, engine.connect() as second:
        first.begin()
        second.begin()
        taken_first = outbox.claim_pending(first, "680", 4)
        taken_second = outbox.claim_pending(second, "680", 4)
        assert len(taken_first) == 4
        assert len(taken_second) == 2
        assert not {p.id for p in taken_first} & {p.id for p in taken_second}


def test_backoff_doubles_up_to_a_minute() -> None:
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 4.0]
    assert outbox.backoff(50).total_seconds() == 60


class _Exchange:
    """Stands for the broker: confirms every publish but the ones named in `refuse` (no confirm in time)."""

    def __init__(self, refuse: frozenset[str] = frozenset()) -> None:
        self.refuse = refuse
        self.published: list[str] = []

    async def publish(self, message, **_kwargs) -> None:
        if message.message_id in self.refuse:
            raise TimeoutError
        self.published.append(message.message_id)


async def test_a_relay_batch_marks_its_sent_rows_in_one_statement(engine, platform) -> None:
    """The relay's serial path (benchmarks/hub.py): claim, publish, one UPDATE for the sent rows, commit."""
    ids = []
    for _ in range(5):
        with UnitOfWork(engine, MessageBus()) as uow:
            reply = new_message(
                "RC-REF",
                {"distributionID": "x_1"},
                sender_id=US,
                recipient_id=THEM,
                sent_at=datetime.now(UTC),
            )
            outbox.enqueue(uow, reply, samu_id="680")
            ids.append(reply.distribution_id)
    relay = OutboxRelay(engine, platform.database.libpq_url, TransportSettings(client_id=US), "680")
    exchange = _Exchange(refuse=frozenset(ids[:1]))
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement.split(None, 1)[0])

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        taken = await relay.relay_batch(exchange)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert taken == 5
    assert sorted(exchange.published) == sorted(ids[1:])
    assert statements == ["SELECT", "UPDATE", "UPDATE"]  # claim; the four sent; the one refused
    assert (relay.sent, relay.failed) == (4, 1)
    assert _count(engine, "SELECT count(*) FROM hub_outbox WHERE sent_at IS NOT NULL AND attempts = 1") == 4
    assert _count(engine, "SELECT count(*) FROM hub_outbox WHERE sent_at IS NULL AND attempts = 1") == 1
    assert await relay.relay_batch(exchange) == 0  # the refused one waits for its back-off
    assert engine.pool.checkedout() == 0
