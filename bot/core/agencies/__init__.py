"""Is this agency licensed? The P3MI register and everything that checks a name against it.

`register_file` reads the official list (CSV/XLSX), `matching` applies the safety rule
(pure: "registered" only for an exact normalised name or SIP3MI number), `mentions` finds a
name inside a chat message, `service` loads the current register from storage and answers a
query, and `flow` is the chat conversation. May import `bot.core` and `storage`; nothing
from channels, the dashboard or the CLI.
"""
