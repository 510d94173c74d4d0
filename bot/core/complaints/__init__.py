"""Complaints to BP3MI staff: lifecycle rules, routing and triage (`rules`), ticket numbers
(`tickets`), the chat intake (`intake`), status, handoff and data deletion in chat
(`handoff`), and the staff-side case work the dashboard calls (`casework`). May import
`bot.core` and `storage`; nothing from channels, the dashboard or the CLI.
"""
