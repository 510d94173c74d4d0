"""Multi-step conversations (agency check, complaint intake), each a Flow of bot.core.context."""
