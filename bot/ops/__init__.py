"""Running the bot in production: Prometheus metrics, logging without personal data, HTTP
guards (rate limits, security headers, clean 503s), the metered engine every entry point
uses, and the server's secret key. May import `bot.core`, `bot.settings` and `storage`;
nothing from channels, the dashboard or the CLI.
"""
