"""What a handler gets to work with (Context), and the shapes of flows and intent actions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.content import Content
from bot.core.messages import Message, Reply
from bot.core.nlu import NLU, Parse
from storage.models import User


@dataclass
class Context:
    """One turn of dialogue: the message, the user, their mutable state, the open
    database transaction (commit happens after the handler returns)."""

    message: Message
    user: User
    state: dict[str, Any]
    session: AsyncSession
    content: Content
    nlu: NLU
    is_new_user: bool = False
    extras: dict[str, Any] = field(default_factory=dict)
    parsed: Parse | None = None  # the engine's parse of this turn's text, once made

    async def parse(self, text: str) -> Parse:
        """The NLU's reading of `text`: the turn's own parse when it is of this text (no
        second classifier call), else a new one."""
        if self.parsed is not None and self.parsed.text == text:
            return self.parsed
        return await self.nlu.aparse(text)

    def render(self, key: str, **params: object) -> Reply:
        return self.content.render(key, params)

    @property
    def flow(self) -> str | None:
        flow = self.state.get("flow")
        return flow if isinstance(flow, str) else None

    def start_flow(self, name: str, **data: Any) -> None:
        self.state["flow"] = name
        self.state["flow_data"] = dict(data)

    def end_flow(self) -> None:
        self.state.pop("flow", None)
        self.state.pop("flow_data", None)

    @property
    def flow_data(self) -> dict[str, Any]:
        data = self.state.setdefault("flow_data", {})
        assert isinstance(data, dict)
        return data


class Flow(Protocol):
    """A multi-step conversation (agency check, complaint intake). While a user's state
    names the flow, their text and the flow's buttons (payload "<name>:...") go to it.
    A flow with a true `accepts_media` attribute also gets media without text, as
    on_text(ctx, "") with the media in ctx.message.media / ctx.message.meta["media"].
    A flow that ends itself because the text asks something else returns None from on_text:
    the engine then answers the text like any message (an intent's action, such as the
    complaint intake, included), so leaving a flow never skips what that intent does."""

    name: str

    async def on_text(self, ctx: Context, text: str) -> list[Reply] | None: ...

    async def on_button(self, ctx: Context, payload: str) -> list[Reply]: ...


# An intent action replaces the plain answer of one intent (e.g. complaint -> intake).
IntentAction = Callable[[Context, Parse], Awaitable[list[Reply]]]
# An interceptor looks at free text before the NLU (e.g. an agency name in a sentence);
# it returns replies to answer, or None to let the normal path continue.
Interceptor = Callable[[Context, str], Awaitable[list[Reply] | None]]


@runtime_checkable
class Prefetcher(Protocol):
    """A flow, interceptor's owner or after-turn hook that can load what it reads for many
    users in one query before a batch of turns (Engine.turns), instead of one per turn."""

    async def prefetch(self, session: AsyncSession, user_ids: Sequence[int]) -> None: ...
