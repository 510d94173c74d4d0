"""The optional Rasa adapter, against a fake Rasa server on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.core.nlu import NLU
from bot.core.nlu.rasa import RasaClient


@pytest.fixture
async def fake_rasa() -> AsyncIterator[TestServer]:
    async def parse(request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response({
            "text": body["text"],
            "intent": {"name": "visa", "confidence": 0.91},
            "intent_ranking": [{"name": "visa", "confidence": 0.91},
                               {"name": "passport", "confidence": 0.05}],
        })

    app = web.Application()
    app.router.add_post("/model/parse", parse)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield server
    await server.close()


async def test_rasa_ranking_is_used_when_configured(nlu: NLU, fake_rasa: TestServer) -> None:
    with_rasa = NLU(nlu.normalise, nlu.classifier, nlu.emergency,
                    RasaClient(str(fake_rasa.make_url(""))))
    result = await with_rasa.aparse("apa saja")
    assert (result.intent, result.confidence) == ("visa", 0.91)


async def test_emergency_net_overrides_rasa(nlu: NLU, fake_rasa: TestServer) -> None:
    with_rasa = NLU(nlu.normalise, nlu.classifier, nlu.emergency,
                    RasaClient(str(fake_rasa.make_url(""))))
    assert (await with_rasa.aparse("saya disekap di rumah majikan")).intent == "emergency"


async def test_embedded_model_answers_when_rasa_is_down(nlu: NLU) -> None:
    down = NLU(nlu.normalise, nlu.classifier, nlu.emergency, RasaClient("http://127.0.0.1:9"))
    assert (await down.aparse("syarat jd tkw apa aja")).intent == "requirements"
