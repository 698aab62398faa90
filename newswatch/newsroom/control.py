"""The HTTP control interface under ``/_control/``, mirroring the Python API.

``POST /_control/<action>`` with a JSON object; answers ``{"ok": true, …}`` or, for a bad
request, 400 ``{"ok": false, "error": "…"}``. ``GET /_control/state`` lists the articles.

    curl -X POST $BASE/_control/edit -d '{"slug": "…", "old": "Madinsky", "new": "Medinsky"}'
    curl -X POST $BASE/_control/misbehave \
         -d '{"target": "/feed.xml", "mode": "status", "opts": {"code": 503, "retry_after": 30}}'
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from newswatch.newsroom.responses import Response
from newswatch.newsroom.stories import story_from_dict

if TYPE_CHECKING:
    from newswatch.newsroom.room import Newsroom

JSON = "application/json"
Payload = dict[str, Any]


def _json(status: int, data: Payload) -> Response:
    return Response(status, json.dumps(data, ensure_ascii=False).encode("utf-8"), JSON)


def _need(payload: Payload, key: str, kind: type = str) -> Any:
    if key not in payload:
        raise ValueError(f"missing field {key!r}")
    value = payload[key]
    if not isinstance(value, kind):
        raise ValueError(f"field {key!r} must be {kind.__name__}")
    return value


def _publish(room: Newsroom, p: Payload) -> Payload:
    if p.get("all"):
        slugs = room.publish_all()
    elif "story" in p:
        slugs = [room.publish(story_from_dict(_need(p, "story", dict)))]
    else:
        slugs = [room.publish(_need(p, "slug"))]
    return {"slugs": slugs, "urls": [room.url_of(s) for s in slugs]}


def _edit(room: Newsroom, p: Payload) -> Payload:
    room.edit(_need(p, "slug"), _need(p, "old"), _need(p, "new"))
    return _state_of(room, p["slug"])


def _retitle(room: Newsroom, p: Payload) -> Payload:
    room.retitle(_need(p, "slug"), _need(p, "title"))
    return _state_of(room, p["slug"])


def _delete(room: Newsroom, p: Payload) -> Payload:
    room.delete(_need(p, "slug"), int(p.get("status", 410)))
    return _state_of(room, p["slug"])


def _touch(room: Newsroom, p: Payload) -> Payload:
    room.touch(_need(p, "slug"))
    return _state_of(room, p["slug"])


def _misbehave(room: Newsroom, p: Payload) -> Payload:
    opts = p.get("opts") or {}
    if not isinstance(opts, dict):
        raise ValueError("field 'opts' must be an object")
    room.misbehave(_need(p, "target"), _need(p, "mode"), times=p.get("times"), **opts)
    return {"misbehaving": room.misbehaviours()}


def _behave(room: Newsroom, p: Payload) -> Payload:
    room.behave(p.get("target"))
    return {"misbehaving": room.misbehaviours()}


def _validators(room: Newsroom, p: Payload) -> Payload:
    room.set_validators(_need(p, "enabled", bool))
    return {}


def _robots(room: Newsroom, p: Payload) -> Payload:
    text = p.get("text")
    if text is not None and not isinstance(text, str):
        raise ValueError("field 'text' must be a string or null")
    room.set_robots(text)
    return {}


def _clear_requests(room: Newsroom, p: Payload) -> Payload:
    room.clear_requests()
    return {}


ACTIONS: dict[str, Callable[[Newsroom, Payload], Payload]] = {
    "publish": _publish,
    "edit": _edit,
    "retitle": _retitle,
    "delete": _delete,
    "touch": _touch,
    "misbehave": _misbehave,
    "behave": _behave,
    "validators": _validators,
    "robots": _robots,
    "clear_requests": _clear_requests,
}


def _state_of(room: Newsroom, slug: str) -> Payload:
    article = room.article(slug)
    if article is None:
        return {"slug": slug, "published": False, "url": room.url_of(slug)}
    return {
        "slug": slug,
        "published": True,
        "url": room.url_of(slug),
        "title": article.story.title,
        "revision": article.revision,
        "etag": article.etag,
        "modified_at": article.modified_at.isoformat(),
        "gone": article.gone,
    }


def _get(room: Newsroom, action: str) -> Response:
    if action == "state":
        return _json(
            200,
            {
                "ok": True,
                "articles": [_state_of(room, s) for s in room.slugs()],
                "misbehaving": room.misbehaviours(),
            },
        )
    if action == "requests":
        return _json(200, {"ok": True, "requests": [asdict(r) for r in room.requests]})
    return _json(
        404, {"ok": False, "error": f"unknown control page {action!r}; GET state or requests"}
    )


def handle(room: Newsroom, method: str, action: str, body: bytes) -> Response:
    """Run one control action and answer in JSON."""
    if method == "GET":
        return _get(room, action)
    if method != "POST":
        return _json(405, {"ok": False, "error": "use POST with a JSON object"})
    run = ACTIONS.get(action)
    if run is None:
        allowed = ", ".join(ACTIONS)
        return _json(404, {"ok": False, "error": f"unknown action {action!r}; allowed: {allowed}"})
    try:
        payload = json.loads(body or b"{}")
        if not isinstance(payload, dict):
            raise ValueError("the body must be a JSON object")
        result = run(room, payload)
    except KeyError as exc:
        return _json(400, {"ok": False, "error": str(exc.args[0] if exc.args else exc)})
    except (ValueError, TypeError) as exc:
        return _json(400, {"ok": False, "error": str(exc)})
    return _json(200, {"ok": True, **result})
