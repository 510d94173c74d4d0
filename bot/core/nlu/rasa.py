"""Optional adapter to a running Rasa server's /model/parse endpoint.

aiohttp is imported when a Rasa server is configured, so a plain `nlu parse` does not
load an HTTP client it never uses."""

from __future__ import annotations


class RasaClient:
    """Asks a Rasa server for the intent; returns a ranking like the embedded classifier."""

    def __init__(self, base_url: str, timeout: float = 3.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    async def rank(self, text: str, top: int = 3) -> list[tuple[str, float]]:
        import aiohttp

        timeout = aiohttp.ClientTimeout(total=self.timeout)
        async with aiohttp.ClientSession(timeout=timeout) as http, http.post(
            f"{self.base_url}/model/parse", json={"text": text}
        ) as response:
            response.raise_for_status()
            data = await response.json()
        ranking = data.get("intent_ranking") or [data.get("intent") or {}]
        result = [
            (str(item["name"]), float(item.get("confidence", 0.0)))
            for item in ranking
            if item and item.get("name")
        ]
        return result[:top]
