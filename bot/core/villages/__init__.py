"""Village officials: the village registry and referral codes (`registry`), import and share
links (`service`), attribution in chat (`hook`, `flow`), printable posters (`poster`) and
aggregate reports with small counts suppressed (`reports`). May import `bot.core`,
`bot.settings` and `storage`; nothing from channels, the dashboard or the CLI.
"""
