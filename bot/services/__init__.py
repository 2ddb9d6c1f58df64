"""Application services: what the bot does, with no knowledge of aiogram."""
