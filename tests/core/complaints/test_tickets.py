"""Ticket numbers and status secrets."""

from __future__ import annotations

import re

from bot.core.complaints import tickets


def test_tickets_are_short_unambiguous_and_distinct() -> None:
    made = {tickets.new_ticket() for _ in range(2000)}
    assert len(made) == 2000
    for ticket in made:
        assert re.fullmatch(r"JA-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{2}", ticket)
        assert not set(ticket[3:]) & set("01ILO")


def test_find_ticket_in_free_text_normalises() -> None:
    assert tickets.find_ticket("tiket sy ja-7k3p-q9 udh sampe mana") == "JA-7K3P-Q9"
    assert tickets.find_ticket("nomor JA 7K3P Q9") == "JA-7K3P-Q9"
    assert tickets.find_ticket("JA-7K3P-Q0") is None  # 0 is not in the alphabet
    assert tickets.find_ticket("halo") is None


def test_secret_is_checked_against_its_hash_only() -> None:
    secret = tickets.new_secret()
    stored = tickets.hash_secret(secret)
    assert secret not in stored
    assert tickets.secret_matches(secret.lower().replace("-", ""), stored)
    assert not tickets.secret_matches("ABCD-EFGH", stored)
    assert not tickets.secret_matches(secret, None)
    assert tickets.find_secret(f"JA-7K3P-Q9 {secret}") == secret


def test_a_message_that_is_only_a_secret_is_recognised() -> None:
    from bot.core.complaints.tickets import secret_only

    assert secret_only(" 4kq7-xm2p ") == "4KQ7-XM2P"
    assert secret_only("4KQ7 XM2P") == "4KQ7-XM2P"
    assert secret_only("4KQ7XM2P") == "4KQ7-XM2P"
    assert secret_only("kode 4KQ7-XM2P") is None
    assert secret_only("4KQ7-XM2O") is None  # O is not in the alphabet
