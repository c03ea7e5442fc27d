"""``/connect/token`` and the bearer guard, over real HTTP."""

from __future__ import annotations

import base64
from urllib.parse import quote_plus

import aiohttp

from aspose_ocr_provider.emulator.testing import EmulatorHandle, run_emulator
from aspose_ocr_provider.models import RECOGNIZE_TABLE_PATH, TASK_STATUS_PATH, TOKEN_PATH
from tests.emulator.conftest import Api, make_png


def _form(emu: EmulatorHandle, secret: str | None = None) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_id": emu.client_id,
        "client_secret": emu.client_secret if secret is None else secret,
    }


async def _token_works(api: Api, token: str) -> bool:
    async with api.session.get(
        api.url + TASK_STATUS_PATH, params={"id": "x"}, headers={"Authorization": f"Bearer {token}"}
    ) as resp:
        return resp.status == 200


async def test_urlencoded_form_gives_bearer_token(api: Api, emu: EmulatorHandle) -> None:
    async with api.session.post(api.url + TOKEN_PATH, data=_form(emu)) as resp:
        assert resp.status == 200
        assert resp.content_type == "application/json"
        body = await resp.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert await _token_works(api, body["access_token"])


async def test_multipart_form_like_sdk_24_8(api: Api, emu: EmulatorHandle) -> None:
    form = aiohttp.FormData()
    for key, value in _form(emu).items():
        form.add_field(key, value)
    headers = {"ContentType": "application/x-www-form-urlencoded", "Accept": "application/json;charset=UTF-8"}
    async with api.session.post(api.url + TOKEN_PATH, data=form, headers=headers) as resp:
        assert resp.status == 200
        assert resp.content_type == "application/json"
        token = (await resp.json())["access_token"]
    assert await _token_works(api, token)


async def test_http_basic_client_auth(api: Api) -> None:
    with run_emulator(client_id="id with space", client_secret="s3cr:t&=") as emu:
        raw = f"{quote_plus(emu.client_id)}:{quote_plus(emu.client_secret)}"
        headers = {"Authorization": "Basic " + base64.b64encode(raw.encode()).decode()}
        async with api.session.post(
            emu.url + TOKEN_PATH, data={"grant_type": "client_credentials"}, headers=headers
        ) as resp:
            assert resp.status == 200
            assert (await resp.json())["token_type"] == "Bearer"


async def test_bad_credentials_are_400_invalid_client(api: Api, emu: EmulatorHandle) -> None:
    async with api.session.post(api.url + TOKEN_PATH, data=_form(emu, secret="wrong")) as resp:
        assert resp.status == 400
        body = await resp.json()
    assert body["error"] == "invalid_client"
    assert "wrong" not in str(body)


async def test_unsupported_grant_type(api: Api, emu: EmulatorHandle) -> None:
    async with api.session.post(api.url + TOKEN_PATH, data={**_form(emu), "grant_type": "password"}) as resp:
        assert resp.status == 400
        assert (await resp.json())["error"] == "unsupported_grant_type"


async def test_repeated_failures_lock_the_pair_out_with_retry_after(api: Api, emu: EmulatorHandle) -> None:
    statuses = []
    for _ in range(emu.config.token_failure_limit + 3):
        async with api.session.post(api.url + TOKEN_PATH, data=_form(emu, secret="wrong")) as resp:
            statuses.append(resp.status)
            retry_after = resp.headers.get("Retry-After")
    # "More than 5 failed requests" (the rate-limit page): the 6th still fails normally.
    assert statuses == [400] * (emu.config.token_failure_limit + 1) + [429, 429]
    assert retry_after == "600"
    # The lockout is per credential pair: the right secret still works.
    assert await api.token()
    emu.advance_clock(600)
    async with api.session.post(api.url + TOKEN_PATH, data=_form(emu, secret="wrong")) as resp:
        assert resp.status == 400


async def test_ocr_routes_need_a_valid_bearer(api: Api) -> None:
    image = base64.b64encode(make_png(1)).decode()
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic abc"}):
        async with api.session.post(
            api.url + RECOGNIZE_TABLE_PATH, json={"image": image, "settings": {}}, headers=headers
        ) as resp:
            assert resp.status == 401
            assert resp.headers["WWW-Authenticate"].startswith("Bearer")
        for method, path in (
            ("GET", RECOGNIZE_TABLE_PATH),
            ("DELETE", RECOGNIZE_TABLE_PATH),
            ("GET", TASK_STATUS_PATH),
        ):
            async with api.session.request(
                method, api.url + path, params={"id": "x"}, headers=headers
            ) as resp:
                assert resp.status == 401


async def test_token_expires_on_the_emulator_clock(api: Api, emu: EmulatorHandle) -> None:
    emu.configure(token_ttl=60)
    async with api.session.post(api.url + TOKEN_PATH, data=_form(emu)) as resp:
        body = await resp.json()
    assert body["expires_in"] == 60
    assert await _token_works(api, body["access_token"])
    emu.advance_clock(61)
    assert not await _token_works(api, body["access_token"])


async def test_revoke_tokens_invalidates_all(api: Api, emu: EmulatorHandle) -> None:
    tokens = [await api.token(), await api.token()]
    assert emu.revoke_tokens() == 2
    for token in tokens:
        assert not await _token_works(api, token)
    assert await _token_works(api, await api.token())


async def test_revoke_after_n_uses(api: Api, emu: EmulatorHandle) -> None:
    emu.configure(revoke_after=3)
    token = await api.token()
    results = [await _token_works(api, token) for _ in range(4)]
    assert results == [True, True, True, False]


async def test_request_log_holds_no_secrets(api: Api, emu: EmulatorHandle) -> None:
    token = await api.token()
    await _token_works(api, token)
    text = repr(emu.requests) + repr(emu.stats()) + repr(emu) + repr(emu.config)
    assert emu.client_secret not in text
    assert token not in text
    assert emu.count("post", "/CONNECT/TOKEN") == 1


async def test_json_token_body_is_refused_in_words(api: Api, emu: EmulatorHandle) -> None:
    async with api.session.post(api.url + TOKEN_PATH, json=_form(emu)) as resp:
        assert resp.status == 400
        body = await resp.json()
    assert body["error"] == "invalid_request"
    assert "x-www-form-urlencoded" in body["error_description"]
