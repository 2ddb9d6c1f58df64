"""Everything one running bot process owns, built from settings and closed in order."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from api.budget import PointsBudget
from api.client import CallApiClient
from bot.callbacks import CallbackSigner
from bot.events.intake import EventIntake
from bot.events.receiver import EventReceiver, RateLimiter
from bot.events.secrets import RELOAD_EVERY, RETRY_AFTER_MISS, AcceptedSecrets
from bot.services.access import AccessService
from bot.services.admin import AdminService
from bot.services.audit_bridge import AuditObserver
from bot.services.auth import AuthService
from bot.services.call_events import CallEvents
from bot.services.calls import CallService
from bot.services.catalog import CatalogService
from bot.services.duty import DutyDesk
from bot.services.event_flow import EventFlow, FlowState
from bot.services.info import InfoService
from bot.services.live import CallsRefresher, LivePoller
from bot.services.missed_calls import MissedCalls
from bot.services.recordings import RecordingDelivery
from bot.services.user_settings import SettingsService
from bot.settings import Settings
from db.audit_writer import AuditWriter
from db.crypto import TokenCipher, default_key_file, parse_keys, resolve_keys
from db.engine import create_engine, session_factory
from db.event_secrets import Rotation, load_rotation
from db.press_tokens import PressTokens, open_press_tokens

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    press_tokens: PressTokens
    cipher: TokenCipher
    audit: AuditWriter
    budget: PointsBudget
    client: CallApiClient
    signer: CallbackSigner
    access: AccessService
    auth: AuthService
    refresher: CallsRefresher
    calls: CallService
    poller: LivePoller
    # Whether UIS events reach us (the poll stops spending points on freshness while they do).
    flow: EventFlow
    # Which updates sent something to UIS (the errors router's "UIS may have done it").
    attempts: AuditObserver
    user_settings: SettingsService
    catalog: CatalogService
    admin: AdminService
    info: InfoService
    duty: DutyDesk
    # UIS events in: None unless CALLBOT_EVENTS__SECRET and __PUBLIC_URL are set.
    events: EventReceiver | None = None
    event_intake: EventIntake | None = None
    # Call recordings to the employees on the call: None unless CALLBOT_RECORDINGS__ENABLED.
    recordings: RecordingDelivery | None = None
    # Missed calls from "lost call" events (UIS events on only).
    missed: MissedCalls | None = None

    async def close(self) -> None:
        """Stop background work, then flush the audit (bounded), then close connections."""
        if self.events is not None:
            await self.events.close()
        if self.event_intake is not None:
            await self.event_intake.close()
        if self.recordings is not None:
            await self.recordings.close()
        await self.poller.stop()
        self.flow.close()
        await self.calls.stop()
        await self.client.aclose()
        flushed = await self.audit.close(max_wait=10.0)
        if not flushed:
            log.error("audit rows are still in the journal; they are replayed at next start")
        await self.press_tokens.aclose()
        await self.engine.dispose()


def key_file_for(settings: Settings) -> Path:
    """The generated key of the embedded SQLite setup lives beside the database file."""
    return default_key_file(settings.database_url) or settings.data_dir / "callbot.key"


def resolve_cipher(
    settings: Settings, *, create_key_file: bool = True
) -> tuple[TokenCipher, CallbackSigner]:
    """The token cipher, and the button signer derived from the newest encryption key.

    Deriving the HMAC key (instead of another setting) leaves one secret to manage; rotating
    the encryption keys simply voids buttons drawn before it. Only the running bot
    generates a missing key file (``create_key_file``): checks and maintenance commands
    report it missing instead of leaving a key behind as a side effect.
    """
    configured = (
        settings.security.encryption_keys.get_secret_value()
        if settings.security.encryption_keys is not None
        else None
    )
    key_file = key_file_for(settings)
    cipher = resolve_keys(configured, settings.database_url, key_file, create=create_key_file)
    newest = (
        parse_keys(configured)[0]
        if configured and parse_keys(configured)
        else key_file.read_text(encoding="ascii").strip()
    )
    signer = CallbackSigner(hashlib.sha256(b"callbot/callback-signing/" + newest.encode()).digest())
    return cipher, signer


def accepted_event_secrets(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    cipher: TokenCipher,
    *,
    reload_every: float = RELOAD_EVERY,
    retry_after_miss: float = RETRY_AFTER_MISS,
) -> AcceptedSecrets:
    """CALLBOT_EVENTS__SECRET, and a rotation's secrets stored by `callbot events rotate-secret`
    (encrypted with ``cipher``): accepted beside it until `--finish`, read again without a
    restart (at most ``reload_every`` seconds late; see bot/events/secrets.py)."""
    assert settings.events.secret is not None

    async def stored_rotation() -> Rotation | None:
        async with sessions() as session:
            return await load_rotation(session, cipher)

    return AcceptedSecrets(
        [settings.events.secret.get_secret_value()],
        stored_rotation,
        reload_every=reload_every,
        retry_after_miss=retry_after_miss,
    )


async def build_runtime(
    settings: Settings,
    *,
    http_client: httpx.AsyncClient | None = None,
) -> Runtime:
    database_url = settings.database_url
    cipher, signer = resolve_cipher(settings)
    engine = create_engine(database_url, echo=settings.database.echo)
    sessions = session_factory(engine)
    press_tokens = await open_press_tokens(database_url, sessions)
    audit = AuditWriter(
        engine,
        settings.data_dir / "audit-journal",
        fsync_interval=settings.audit.journal_sync_seconds,
    )
    await audit.start()
    budget = PointsBudget(reserve=settings.callapi.points_reserve)
    observer = AuditObserver(audit)
    client = CallApiClient(
        base_url=settings.callapi.base_url,
        budget=budget,
        observer=observer,
        intent_observer=observer.intent,
        http_client=http_client,
        timeout=httpx.Timeout(
            connect=min(5.0, settings.callapi.timeout_seconds),
            read=settings.callapi.timeout_seconds,
            write=settings.callapi.timeout_seconds,
            pool=5.0,
        ),
        phone_region=settings.callapi.default_region,
    )
    access = AccessService(
        sessions,
        admin_ids=settings.telegram.admin_ids,
        mode=settings.telegram.access_mode,
        allowed_ids=settings.telegram.allowed_user_ids,
    )
    auth = AuthService(client, sessions, cipher)
    refresher = CallsRefresher()

    async def poll_tick() -> bool:
        return await calls.poll_tick()

    flow = EventFlow(enabled=settings.events.enabled)
    poller = LivePoller(budget, poll_tick, events_flowing=lambda: flow.flowing)

    def flow_changed(state: FlowState) -> None:
        if state is FlowState.SILENT:
            poller.refresh_soon("events silent")  # catch up now, then poll as without events
        else:
            poller.replan()  # flowing: the interval wait under way ends without a request

    flow.on_change = flow_changed
    calls = CallService(
        client=client,
        auth=auth,
        sessions=sessions,
        press_tokens=press_tokens,
        signer=signer,
        refresher=refresher,
        poll=poller,
        default_region=settings.callapi.default_region,
        account_zone=settings.callapi.zone,
        events_flowing=lambda: flow.flowing,
    )
    event_intake = None
    receiver = None
    recordings = None
    if settings.events.enabled and settings.recordings.enabled:
        recordings = RecordingDelivery(settings.recordings, sessions)
    elif settings.recordings.enabled:
        log.warning("CALLBOT_RECORDINGS__ENABLED has no effect: UIS events are off")
    # Missed calls come from "lost call" events, or (no events) from the on-duty watch.
    missed = MissedCalls(
        sessions=sessions,
        ledger=calls.ledger,
        book=calls.book,
        starter=calls.starter,
        auth=auth,
        signer=signer,
        admin_ids=settings.telegram.admin_ids,
        account_zone=settings.callapi.zone,
    )
    calls.duty.missed = missed
    catalog = CatalogService(sessions, on_change=calls.invalidate_catalog)
    region = settings.callapi.default_region
    admin = AdminService(
        sessions,
        access=access,
        audit=audit,
        normalise_phone=lambda text: calls.normalise_contact(text, region, "phone"),
    )
    duty = DutyDesk(
        calls.duty,
        set_duty=calls.set_duty,
        events_flowing=lambda: flow.flowing,
        poll_interval=poller.interval,
    )
    info = InfoService(
        sessions,
        budget=budget,
        audit=audit,
        zone=settings.callapi.zone,
        zone_name=settings.callapi.timezone,
    )
    if settings.events.enabled:
        assert settings.events.secret is not None
        calls.ledger.watch(flow.call_changed)
        call_events = CallEvents(
            sessions=sessions,
            ledger=calls.ledger,
            book=calls.book,
            sync=calls.sync,
            flow=flow,
            recordings=recordings,
            missed=missed,
        )
        event_intake = EventIntake(sessions, settings.data_dir / "event-journal", call_events.apply)
        receiver = EventReceiver(
            event_intake,
            accepted_event_secrets(settings, sessions, cipher),
            RateLimiter(settings.events.rate_per_second, settings.events.rate_burst),
        )
    return Runtime(
        settings=settings,
        engine=engine,
        sessions=sessions,
        press_tokens=press_tokens,
        cipher=cipher,
        audit=audit,
        budget=budget,
        client=client,
        signer=signer,
        access=access,
        auth=auth,
        refresher=refresher,
        calls=calls,
        poller=poller,
        flow=flow,
        attempts=observer,
        user_settings=SettingsService(sessions, default_region=region),
        catalog=catalog,
        admin=admin,
        info=info,
        duty=duty,
        events=receiver,
        event_intake=event_intake,
        recordings=recordings,
        missed=missed,
    )


def handler_services(runtime: Runtime) -> dict[str, object]:
    """What handlers receive, by parameter name (the dispatcher's workflow data). Nothing here
    exposes a session factory or the Call API client: handlers go through services."""
    return {
        "access": runtime.access,
        "auth": runtime.auth,
        "calls": runtime.calls,
        "user_settings": runtime.user_settings,
        "catalog": runtime.catalog,
        "admin": runtime.admin,
        "info": runtime.info,
        "duty": runtime.duty,
        "missed": runtime.missed,
        "uis_attempts": runtime.attempts,
    }
