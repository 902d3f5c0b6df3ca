"""The bot's HTTP transport: python-telegram-bot's requests over one aiohttp session.

aiohttp is already here (the webhook server, the local Bot API server), and a call through
it costs about half of what the same call through httpx costs (bench/updates.py measures
both: `echo` uses PTB's httpx default, `echo_fair` and ours this class). Parameters go as
one JSON object, or multipart with the files of an upload.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Mapping
from typing import IO

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# What a Bot API call may wait by default: for a free connection, to connect, to be read.
POOL_TIMEOUT = 1.0
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 5.0
# A file upload may take longer to write (PTB's media_write_timeout).
MEDIA_WRITE_TIMEOUT = 20.0


class AiohttpRequest(BaseRequest):
    """A `telegram.request.BaseRequest` over aiohttp, sized like PTB's HTTPXRequest.

    The session is made in `initialize` (aiohttp wants a running loop). aiohttp has no
    write timeout: a write is bounded by the read timeout after it, or, for an upload
    (`multipart`), by `MEDIA_WRITE_TIMEOUT` added to it.
    """

    __slots__ = ("_pool_size", "_read_timeout", "_session")

    def __init__(
        self, connection_pool_size: int = 256, read_timeout: float | None = READ_TIMEOUT
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.USER_AGENT},
                cookie_jar=aiohttp.DummyCookieJar(),  # the Bot API sets none worth keeping
                # HTTPS_PROXY and the like, as with httpx; only when one is set: aiohttp then
                # looks the proxy and ~/.netrc up in a thread on every request.
                trust_env=bool(urllib.request.getproxies()),
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        read = _chosen(read_timeout, self._read_timeout)
        if files:
            write = _chosen(write_timeout, MEDIA_WRITE_TIMEOUT)
            read = None if read is None or write is None else read + write
        connect = _chosen(connect_timeout, CONNECT_TIMEOUT)
        pool = _chosen(pool_timeout, POOL_TIMEOUT)
        timeout = aiohttp.ClientTimeout(
            total=None,
            # aiohttp's `connect` covers waiting for a pooled connection and connecting.
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect,
            sock_read=read,
        )
        body: aiohttp.FormData | bytes | None = None
        headers = None
        if files:
            body = _form(request_data.json_parameters, files) if request_data else None
        elif request_data is not None:
            # The same parameters as a form would carry, as one JSON object: encoding it
            # costs a fraction of urlencoding every value (the Bot API takes both).
            body, headers = request_data.json_payload, _JSON
        try:
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as resp:
                return resp.status, await resp.read()
        except TimeoutError as exc:  # aiohttp's own timeouts are TimeoutErrors too
            if isinstance(exc, aiohttp.ConnectionTimeoutError):
                raise TimedOut(
                    "no connection to the Bot API was free or made in time; the request "
                    "was not sent"
                ) from exc
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc


_JSON = {"Content-Type": "application/json"}


def _chosen(value: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value


def _form(
    fields: Mapping[str, str], files: Mapping[str, tuple[str | None, bytes | IO[bytes], str]]
) -> aiohttp.FormData:
    """A multipart body: the parameters, then each file with its name and type."""
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mime) in files.items():
        form.add_field(name, content, filename=filename or name, content_type=mime)
    return form


def new_request(connection_pool_size: int) -> BaseRequest:
    """The transport for one of the bot's request pools (sends, or the one long poll)."""
    return AiohttpRequest(connection_pool_size)
