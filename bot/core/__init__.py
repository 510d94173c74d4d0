"""The channel-agnostic core: Message in -> list[Reply] out.

`engine` runs a turn, `nlu/` understands the text, `content` renders answers from
content/, and one package per capability holds its rules, service and chat flow:
`agencies/`, `complaints/`, `villages/`. The core imports only `bot.core`, `bot.settings`
and `storage`: it knows nothing of Telegram, WhatsApp, the web chat or the dashboard.
"""
