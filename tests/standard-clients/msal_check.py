"""MSAL Python signs in against the Graph sandbox as it would against Entra.

Arguments: the sandbox's https root, its control secret, and the CA file
to trust. Plays the browser for the code flow and the operator for the
device code flow through the sandbox's test controls; everything else is
MSAL's own requests. Exits non-zero on the first fact that does not hold.
"""

import sys
import urllib.parse

import msal
import requests

BASE, CONTROL, CA = sys.argv[1:4]
CLIENT = "0c1a2b3c-4d5e-6f70-8192-a3b4c5d6e7f8"
SCOPES = ["https://graph.microsoft.com/User.Read.All"]
UPN = "helpdesk@contoso.com"


def app():
    # instance_discovery=False: the authority is not a Microsoft cloud, so
    # MSAL reads its metadata from the authority's own discovery document.
    return msal.PublicClientApplication(
        CLIENT, authority=f"{BASE}/contoso", verify=CA, instance_discovery=False
    )


def check(fact, ok, detail=""):
    if not ok:
        sys.exit(f"msal check: {fact} does not hold {detail}")
    print(f"ok: {fact}")


def signed_in(a, result, how):
    check(f"{how}: a token", "access_token" in result, result)
    claims = result.get("id_token_claims", {})
    check(f"{how}: the id_token names the operator", claims.get("preferred_username") == UPN, claims)
    accounts = a.get_accounts()
    check(f"{how}: get_accounts finds the account", [x["username"] for x in accounts] == [UPN], accounts)
    home = f"{claims['oid']}.{claims['tid']}"
    check(f"{how}: the account is keyed by client_info", accounts[0]["home_account_id"] == home, accounts)
    rt_before = {rt["secret"] for rt in a.token_cache.search(msal.TokenCache.CredentialType.REFRESH_TOKEN)}
    silent = a.acquire_token_silent(SCOPES, account=accounts[0], force_refresh=True)
    check(f"{how}: acquire_token_silent refreshes", bool(silent) and "access_token" in silent, silent)
    check(f"{how}: from the identity provider", silent.get("token_source") == "identity_provider", silent)
    check(f"{how}: a new access token", silent["access_token"] != result["access_token"])
    rt_after = {rt["secret"] for rt in a.token_cache.search(msal.TokenCache.CredentialType.REFRESH_TOKEN)}
    check(f"{how}: the refresh token was rotated", bool(rt_after) and rt_after != rt_before)
    me = requests.get(f"{BASE}/v1.0/me", headers={"Authorization": "Bearer " + silent["access_token"]}, verify=CA)
    check(f"{how}: Graph knows the refreshed token", me.ok and me.json()["userPrincipalName"] == UPN, me.text)


def code_flow():
    a = app()
    flow = a.initiate_auth_code_flow(SCOPES, redirect_uri="http://localhost:8400")
    # The browser: the sandbox signs the operator in at once and redirects.
    r = requests.get(flow["auth_uri"], allow_redirects=False, verify=CA)
    check("authorize redirects", r.status_code == 302, r.text)
    answer = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(r.headers["location"]).query))
    signed_in(a, a.acquire_token_by_auth_code_flow(flow, answer), "code flow")


def device_flow():
    a = app()
    flow = a.initiate_device_flow(scopes=SCOPES)
    check("device flow: a user code", "user_code" in flow, flow)
    # The operator enters the code on another device.
    requests.post(
        f"{BASE}/_sandbox/approve/{flow['user_code']}", headers={"x-sandbox-control": CONTROL}, verify=CA
    ).raise_for_status()
    signed_in(a, a.acquire_token_by_device_flow(flow), "device flow")


code_flow()
device_flow()
print("msal check: ok")
