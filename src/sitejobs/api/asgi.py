"""What the fast paths in front of the framework share: sending a whole JSON body with raw ASGI messages."""

from __future__ import annotations

from starlette.types import Send


async def send_json(send: Send, status: int, payload: bytes, content_type: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", content_type), (b"content-length", str(len(payload)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": payload})
