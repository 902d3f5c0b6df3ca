"""Pendamping UMKM: a Telegram bot for Kupang's SNI mentoring programme."""

__version__ = "0.1.0"
