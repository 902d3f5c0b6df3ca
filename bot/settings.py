"""Settings from the environment (and a .env file), with the names fixed in DESIGN.md."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/pendamping.db"
# The simulator's own database: its personas and their roles never reach DATABASE_URL's.
DEFAULT_SIMULATOR_DATABASE_URL = "sqlite+aiosqlite:///data/simulator.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    telegram_bot_token: SecretStr | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    telegram_api_url: str = Field(default="https://api.telegram.org/bot", alias="TELEGRAM_API_URL")
    telegram_file_url: str = Field(
        default="https://api.telegram.org/file/bot", alias="TELEGRAM_FILE_URL"
    )
    database_url: str = Field(default=DEFAULT_DATABASE_URL, alias="DATABASE_URL")
    bot_timezone: str = Field(default="Asia/Makassar", alias="BOT_TIMEZONE")
    bot_coordinators: Annotated[frozenset[int], NoDecode] = Field(
        default=frozenset(), alias="BOT_COORDINATORS"
    )
    data_dir: Path = Field(default=Path("data"), alias="BOT_DATA_DIR")
    simulator_port: int = Field(default=8080, ge=1, le=65535, alias="SIMULATOR_PORT")
    simulator_database_url: str = Field(
        default=DEFAULT_SIMULATOR_DATABASE_URL, alias="SIMULATOR_DATABASE_URL"
    )
    webhook_url: str | None = Field(default=None, alias="WEBHOOK_URL")
    webhook_secret: SecretStr | None = Field(default=None, alias="WEBHOOK_SECRET")
    webhook_listen: str = Field(default="127.0.0.1", alias="WEBHOOK_LISTEN")
    webhook_port: int = Field(default=8443, ge=1, le=65535, alias="WEBHOOK_PORT")
    # Telegram's simultaneous connections to the webhook (its own default is 40).
    webhook_max_connections: int = Field(default=40, ge=1, le=100, alias="WEBHOOK_MAX_CONNECTIONS")
    # /healthz and /metrics on host:port in polling mode and for `pendamping dispatch`;
    # empty: off (the webhook workers serve them on the webhook's port).
    metrics_listen: str = Field(default="", alias="BOT_METRICS_PORT")
    # The coordinators' desk (a Telegram Mini App): the https address Telegram opens, behind
    # a TLS reverse proxy; empty: no desk. Polling serves it on BOT_DESK_PORT, the webhook
    # workers on their own port, both under /desk/.
    desk_url: str = Field(default="", alias="BOT_DESK_URL")
    desk_listen: str = Field(default="127.0.0.1:8088", alias="BOT_DESK_PORT")
    # Signed Mini App data older than this is refused (Telegram signs it once, when opened).
    desk_max_age_s: int = Field(default=86400, ge=60, alias="BOT_DESK_MAX_AGE")
    # /healthz is unhealthy when a due outbox row has waited longer than this.
    health_max_lag_s: float = Field(default=3600.0, gt=0, alias="BOT_HEALTH_MAX_LAG")
    max_sends_per_second: float = Field(default=30.0, gt=0, alias="BOT_MAX_SENDS_PER_SECOND")
    dispatch_interval_s: float = Field(default=5.0, gt=0, alias="BOT_DISPATCH_INTERVAL")
    # Broadcasts with allow_paid_broadcast: up to 1,000 messages a second, 0.1 Star each.
    paid_broadcast: bool = Field(default=False, alias="BOT_PAID_BROADCAST")
    log_level: str = Field(default="INFO", alias="LOG_LEVEL")
    # Whom anyone may ask about their personal data (UU 27/2022), shown by /privasi.
    privacy_contact: str = Field(default="", max_length=300, alias="BOT_PRIVACY_CONTACT")
    # The bot's @username for invitation links made without Telegram (`pendamping invite`).
    bot_username: str | None = Field(
        default=None, alias="BOT_USERNAME", pattern=r"^[A-Za-z][A-Za-z0-9_]{3,31}$"
    )

    @field_validator("bot_coordinators", mode="before")
    @classmethod
    def _parse_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError:
                raise ValueError("must be comma-separated Telegram user ids (numbers)") from None
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("bot_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r}") from None
        return value

    @field_validator("database_url", "simulator_database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "use sqlite+aiosqlite:///path.db or postgresql+asyncpg://user@host/db"
            )
        return value

    @field_validator("simulator_database_url")
    @classmethod
    def _apart_from_production(cls, value: str, info: ValidationInfo) -> str:
        if value == info.data.get("database_url"):
            raise ValueError("must not be DATABASE_URL: the simulator keeps its own database")
        return value

    @field_validator("telegram_api_url", "telegram_file_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("metrics_listen", "desk_listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        value = value.strip()
        if not value or value.lower() == "off":
            return ""
        host, _, port = value.rpartition(":")
        if not port.isdecimal() or not 0 < int(port) < 65536:
            raise ValueError("must be a port, host:port (e.g. 127.0.0.1:9108) or off")
        return f"{host or '127.0.0.1'}:{port}"

    @field_validator("desk_url")
    @classmethod
    def _desk_url(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise ValueError("must start with https:// (Telegram opens Mini Apps over TLS only)")
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return value.upper()

    @property
    def secrets(self) -> list[str]:
        """Values no log line may show (bot/logs.py removes them)."""
        return [
            secret.get_secret_value()
            for secret in (self.telegram_bot_token, self.webhook_secret)
            if secret is not None
        ]

    @property
    def metrics_address(self) -> tuple[str, int] | None:
        """Where polling mode serves /healthz and /metrics; None when off."""
        return _address(self.metrics_listen)

    @property
    def desk_address(self) -> tuple[str, int] | None:
        """Where polling mode serves the desk; None when there is no desk."""
        return _address(self.desk_listen) if self.desk_url else None

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.bot_timezone)

    @property
    def simulated(self) -> bool:
        """True when no token is set: `run` then talks to the local simulator."""
        return self.telegram_bot_token is None


def _address(listen: str) -> tuple[str, int] | None:
    if not listen:
        return None
    host, _, port = listen.rpartition(":")
    return host, int(port)


class SettingsError(Exception):
    """A missing or invalid setting, phrased as one line for the operator."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]  # pydantic-settings takes aliases
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "settings"
        raise SettingsError(f"invalid setting {name}: {first['msg']}") from None
