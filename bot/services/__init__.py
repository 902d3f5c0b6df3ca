"""Services: the programme's rules, on a database session, knowing nothing of Telegram."""
