"""`pendamping run` without a token: the local Bot API server, its web chat, and the bot."""

from __future__ import annotations

import logging

from bot.app import build_application
from bot.localapi import LocalBotApi, Persona
from bot.runner import start_polling, stop_polling, wait_for_signal
from bot.settings import Settings

log = logging.getLogger(__name__)

SIMULATOR_TOKEN = "100000001:SIMULATOR-local-token"
COORDINATOR = Persona(
    user_id=710001,
    first_name="Koordinator",
    label="Koordinator",
    description="Staf program Pemkot Kupang / BSN: mengundang peserta, tenggat, rekap",
)
UMKM_OWNER = Persona(
    user_id=710002,
    first_name="Maria",
    label="Pelaku UMKM",
    description="Ibu Maria, pemilik usaha tenun ikat binaan",
)
FOCAL_POINT = Persona(
    user_id=710003,
    first_name="Yohanes",
    label="Focal point",
    description="Bapak Yohanes, focal point RSUD S.K. Lerik",
)
PERSONAS = [UMKM_OWNER, FOCAL_POINT, COORDINATOR]


def simulator_settings(settings: Settings, api: LocalBotApi) -> Settings:
    """The same settings, pointed at the local server, with the coordinator persona."""
    return settings.model_copy(
        update={
            "telegram_api_url": api.base_url,
            "telegram_file_url": api.base_file_url,
            "bot_coordinators": settings.bot_coordinators | {COORDINATOR.user_id},
        }
    )


async def serve_simulator(settings: Settings, port: int) -> None:
    api = LocalBotApi(token=SIMULATOR_TOKEN, bot_username="PendampingUMKMBot", port=port)
    api.enable_webchat(PERSONAS)
    await api.start()
    app = build_application(simulator_settings(settings, api), token=SIMULATOR_TOKEN)
    try:
        await start_polling(app)
        print(f"Simulator ready: open http://127.0.0.1:{api.port} in a browser", flush=True)
        await wait_for_signal()
    finally:
        await stop_polling(app)
        await api.stop()
