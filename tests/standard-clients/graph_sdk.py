"""Microsoft's own Graph SDK (msgraph-beta-sdk, Kiota) against the sandbox.

A typed client is stricter than ours: it parses every error body into an
ODataError (an `innerError.date` it cannot read hides the error code), writes
`@odata.type` into bodies, leaves unset properties out and honours
`Retry-After` only as whole seconds or an HTTP date. Each check fails with a
message saying what the sandbox did differently from Graph.

Run by tests/standard-clients/run.sh with SANDBOX_URL, SANDBOX_CONTROL and
SANDBOX_TOKEN set; exits non-zero on the first failed check.
"""

import asyncio
import base64
import datetime
import hashlib
import hmac
import json
import os
import secrets
import struct
import time
import urllib.request

from kiota_abstractions.api_error import APIError
from kiota_abstractions.authentication import (
    AccessTokenProvider,
    AllowedHostsValidator,
    BaseBearerTokenAuthenticationProvider,
)
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph_beta import GraphRequestAdapter, GraphServiceClient
from msgraph_beta.generated.models.hardware_oath_authentication_method import (
    HardwareOathAuthenticationMethod,
)
from msgraph_beta.generated.models.hardware_oath_token_authentication_method_device import (
    HardwareOathTokenAuthenticationMethodDevice,
)
from msgraph_beta.generated.models.hardware_oath_token_hash_function import (
    HardwareOathTokenHashFunction,
)
from msgraph_beta.generated.models.o_data_errors.o_data_error import ODataError
from msgraph_beta.generated.users.item.authentication.hardware_oath_methods.item.activate.activate_post_request_body import (
    ActivatePostRequestBody,
)

BASE = os.environ["SANDBOX_URL"]
CONTROL = os.environ["SANDBOX_CONTROL"]
TOKEN = os.environ["SANDBOX_TOKEN"]
USER = "bob@contoso.com"


class SandboxToken(AccessTokenProvider):
    """The sandbox's bearer token, for its host only."""

    async def get_authorization_token(self, uri, additional_authentication_context=None):
        return TOKEN

    def get_allowed_hosts_validator(self):
        return AllowedHostsValidator([BASE.split("://", 1)[1]])


def client():
    adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(SandboxToken()))
    adapter.base_url = BASE + "/beta"
    return GraphServiceClient(request_adapter=adapter)


def check(ok, what):
    if not ok:
        raise SystemExit(f"graph_sdk: {what}")


def totp(secret_b32, at):
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    mac = hmac.new(key, struct.pack(">Q", at // 30), hashlib.sha1).digest()
    o = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[o : o + 4])[0] & 0x7FFFFFFF) % 1_000_000)


def set_faults(faults):
    req = urllib.request.Request(
        BASE + "/_sandbox/faults",
        data=json.dumps(faults).encode(),
        headers={"content-type": "application/json", "x-sandbox-control": CONTROL},
    )
    urllib.request.urlopen(req).read()


async def expect_error(call, status, code, what):
    try:
        await call
    except ODataError as e:
        check(e.response_status_code == status, f"{what}: status {e.response_status_code}, not {status}")
        check(e.error is not None and e.error.code == code, f"{what}: code {e.error and e.error.code!r}, not {code!r}")
        inner = e.error.inner_error
        check(inner is not None and isinstance(inner.date, datetime.datetime), f"{what}: innerError.date unreadable")
        check(bool(inner.request_id), f"{what}: no innerError.request-id")
        return
    except APIError as e:
        raise SystemExit(f"graph_sdk: {what}: not a Graph error body ({e})")
    raise SystemExit(f"graph_sdk: {what}: no error")


async def main():
    g = client()
    devices = g.directory.authentication_method_devices.hardware_oath_devices
    secret = base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")
    new = HardwareOathTokenAuthenticationMethodDevice(
        serial_number="SDK0001",
        manufacturer="Token2",
        model="C302-i",
        secret_key=secret,
        time_interval_in_seconds=30,
        hash_function=HardwareOathTokenHashFunction.Hmacsha1,
    )
    created = await devices.post(new)
    check(created is not None and created.id and created.secret_key is None, "create: no device or the secret echoed")
    check(created.serial_number == "SDK0001" and created.status == "available", f"create: {created}")

    query = devices.HardwareOathDevicesRequestBuilderGetQueryParameters(
        filter="serialNumber eq 'SDK0001' and status eq 'available'",
        select=["id", "serialNumber", "status"],
        top=5,
        count=True,
    )
    page = await devices.get(RequestConfiguration(query_parameters=query))
    check(page is not None and [d.serial_number for d in page.value] == ["SDK0001"], "list: the filter with 'and' found nothing")
    check(page.odata_count == 1, f"list: @odata.count {page.odata_count}")

    await expect_error(devices.post(new), 400, "invalidRequest", "duplicate serial")
    await expect_error(devices.by_hardware_oath_token_authentication_method_device_id("nope").get(), 404, "itemNotFound", "unknown device")

    methods = g.users.by_user_id(USER).authentication.hardware_oath_methods
    device = HardwareOathTokenAuthenticationMethodDevice(id=created.id)
    assigned = await methods.post(HardwareOathAuthenticationMethod(device=device))
    check(assigned is not None and assigned.id == created.id, "assign: not the token's id")

    this = methods.by_hardware_oath_authentication_method_id(created.id)
    await expect_error(this.activate.post(ActivatePostRequestBody(verification_code="000000" if totp(secret, int(time.time())) != "000000" else "111111")), 400, "invalidRequest", "wrong code")
    await this.activate.post(ActivatePostRequestBody(verification_code=totp(secret, int(time.time())), display_name="Bob's token"))
    got = await this.get()
    check(got is not None and got.device is not None and got.device.status == "activated", "activate: the method is not activated")
    check(got.device.display_name == "Bob's token", f"activate: displayName {got.device.display_name!r}")

    # A 429 with Retry-After in whole seconds is retried by the SDK itself.
    set_faults({"throttle_every": 2, "retry_after_seconds": 1})
    for _ in range(3):
        await devices.get()
    set_faults({})
    print("graph_sdk: ok")


asyncio.run(main())
