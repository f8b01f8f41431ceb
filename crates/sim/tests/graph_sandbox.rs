//! The Graph sandbox against Microsoft's documented behaviour, over real
//! HTTP with a plain client (no project code between): error bodies and
//! request ids, `Retry-After`, bulk create, Entra's validation, OData
//! queries, the user-method paths and activation's `displayName`.

use std::time::{SystemTime, UNIX_EPOCH};

use oathdesk_otp::{Algorithm, CodeParams, generate_secret, totp};
use oathdesk_sim::graph::{OPERATOR_SCOPES, Sandbox, SeedUser, TenantSeed};
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde_json::{Value, json};

const INVENTORY: &str = "/beta/directory/authenticationMethodDevices/hardwareOathDevices";

fn sandbox() -> Sandbox {
    let users = vec![
        SeedUser::member("u-alice", "alice@contoso.com").with_roles(&["Global Administrator"]),
        SeedUser::member("u-bob", "bob@contoso.com"),
    ];
    let mut seed = TenantSeed::with_operator("op", users);
    seed.tokens
        .insert("policy-only".into(), vec![OPERATOR_SCOPES[0].to_string()]);
    Sandbox::start(seed, 0).unwrap()
}

struct Graph {
    s: Sandbox,
    http: Client,
}

impl Graph {
    fn new() -> Graph {
        Graph {
            s: sandbox(),
            http: Client::new(),
        }
    }

    fn call(&self, method: &str, path: &str) -> RequestBuilder {
        let url = format!("{}{path}", self.s.base_url());
        self.http
            .request(method.parse().unwrap(), url)
            .bearer_auth("op")
    }

    fn send_json(&self, method: &str, path: &str, body: &Value) -> Response {
        self.call(method, path).json(body).send().unwrap()
    }

    fn get(&self, path: &str) -> Response {
        self.call("GET", path).send().unwrap()
    }

    /// Creates a device by the API and returns its id.
    fn create(&self, serial: &str, params: CodeParams) -> (String, oathdesk_otp::Secret) {
        let secret = generate_secret(params.algorithm);
        let r = self.send_json("POST", INVENTORY, &device(serial, &secret, params.period));
        assert_eq!(r.status(), 201);
        let id = r.json::<Value>().unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        (id, secret)
    }
}

fn device(serial: &str, secret: &oathdesk_otp::Secret, period: u64) -> Value {
    json!({"serialNumber": serial, "manufacturer": "Token2", "model": "C302-i",
        "secretKey": secret.to_base32().as_str(), "timeIntervalInSeconds": period, "hashFunction": "hmacsha1"})
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Asserts Graph's error shape and returns (status, code).
fn graph_error(r: Response) -> (u16, String) {
    let status = r.status().as_u16();
    let header_id = r
        .headers()
        .get("request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .expect("a request-id header");
    let body: Value = r.json().expect("a JSON error body");
    let e = &body["error"];
    let code = e["code"].as_str().expect("error.code").to_string();
    assert!(!code.is_empty() && e["message"].as_str().is_some_and(|m| !m.is_empty()));
    let inner = &e["innerError"];
    assert_eq!(
        inner["request-id"].as_str(),
        Some(header_id.as_str()),
        "{body}"
    );
    assert!(inner["client-request-id"].is_string(), "{body}");
    let date = inner["date"].as_str().expect("innerError.date");
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let when = time::PrimitiveDateTime::parse(date, &format)
        .unwrap_or_else(|e| panic!("{date:?} is not ISO 8601 as Graph writes it: {e}"))
        .assume_utc()
        .unix_timestamp();
    assert!((when - now() as i64).abs() < 120, "{date} is not now");
    (status, code)
}

#[test]
fn every_failure_is_graph_json_with_an_iso_date_and_the_headers_request_id() {
    let g = Graph::new();
    let secret = generate_secret(Algorithm::Sha1);
    let good = device("E1", &secret, 30);
    let url = |p: &str| format!("{}{p}", g.s.base_url());
    let cases: Vec<(&str, u16, Response)> = vec![
        ("no token", 401, g.http.get(url(INVENTORY)).send().unwrap()),
        (
            "no token, malformed body: auth comes first",
            401,
            g.http
                .post(url(INVENTORY))
                .header("content-type", "application/json")
                .body("{not json")
                .send()
                .unwrap(),
        ),
        (
            "scope missing",
            403,
            g.http
                .get(url(
                    "/beta/users/bob@contoso.com/authentication/hardwareOathMethods",
                ))
                .bearer_auth("policy-only")
                .send()
                .unwrap(),
        ),
        ("unknown device", 404, g.get(&format!("{INVENTORY}/nope"))),
        ("unknown path", 400, g.get("/beta/directory/nothingHere")),
        (
            "wrong method",
            405,
            g.call("PUT", INVENTORY).json(&good).send().unwrap(),
        ),
        (
            "not JSON",
            415,
            g.call("POST", INVENTORY)
                .header("content-type", "text/plain")
                .body(good.to_string())
                .send()
                .unwrap(),
        ),
        (
            "malformed JSON",
            400,
            g.call("POST", INVENTORY)
                .header("content-type", "application/json")
                .body("{\"serialNumber\": ")
                .send()
                .unwrap(),
        ),
        (
            "a rule broken",
            400,
            g.send_json("POST", INVENTORY, &json!({"serialNumber": "E2"})),
        ),
    ];
    for (what, status, r) in cases {
        assert_eq!(graph_error(r).0, status, "{what}");
    }
    g.s.tenant().faults.throttle_every = 1;
    assert_eq!(
        graph_error(g.get(INVENTORY)),
        (429, "TooManyRequests".into())
    );
    g.s.tenant().faults.throttle_every = 0;
    g.s.tenant().faults.fail_before.insert("list".into(), 1);
    assert_eq!(graph_error(g.get(INVENTORY)).0, 503);
}

#[test]
fn the_callers_client_request_id_comes_back() {
    let g = Graph::new();
    let r = g
        .call("GET", &format!("{INVENTORY}/nope"))
        .header("client-request-id", "7d1b8b4e-0000-4000-8000-000000000001")
        .send()
        .unwrap();
    assert_eq!(
        r.headers()["client-request-id"],
        "7d1b8b4e-0000-4000-8000-000000000001"
    );
    let body: Value = r.json().unwrap();
    assert_eq!(
        body["error"]["innerError"]["client-request-id"],
        "7d1b8b4e-0000-4000-8000-000000000001"
    );
}

#[test]
fn retry_after_is_whole_seconds() {
    let g = Graph::new();
    g.s.tenant().faults.throttle_every = 1;
    let r = g.get(INVENTORY);
    assert_eq!(r.status(), 429);
    let wait = r.headers()["retry-after"].to_str().unwrap().to_string();
    assert_eq!(wait.parse::<u64>(), Ok(1), "Retry-After {wait:?}");
}

fn bulk_body(items: &[(&str, Option<&str>)]) -> Value {
    let value: Vec<Value> = items
        .iter()
        .enumerate()
        .map(|(i, (serial, assign))| {
            let mut d = device(serial, &generate_secret(Algorithm::Sha1), 30);
            d["@contentId"] = json!((i + 1).to_string());
            // As the docs' example sends it: the interval as a string.
            d["timeIntervalInSeconds"] = json!("30");
            if let Some(u) = assign {
                d["assignTo"] = json!({"id": u});
            }
            d
        })
        .collect();
    json!({"@context": "#$delta", "value": value})
}

#[test]
fn bulk_create_by_post_and_by_patch_answers_201_with_the_methods() {
    let g = Graph::new();
    for (method, serials) in [("POST", ["BP1", "BP2"]), ("PATCH", ["BQ1", "BQ2"])] {
        let body = bulk_body(&[(serials[0], None), (serials[1], Some("u-bob"))]);
        let r = g.send_json(method, INVENTORY, &body);
        assert_eq!(r.status(), 201, "{method}");
        let answer: Value = r.json().unwrap();
        let items = answer["value"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        for (item, serial) in items.iter().zip(serials) {
            assert_eq!(
                item["@odata.type"],
                "#microsoft.graph.hardwareOathAuthenticationMethod"
            );
            assert_eq!(item["id"], item["device"]["id"]);
            assert_eq!(item["device"]["serialNumber"], serial);
            assert_eq!(item["device"]["timeIntervalInSeconds"], 30);
            assert!(item["device"]["secretKey"].is_null());
        }
        assert_eq!(items[0]["device"]["status"], "available");
        assert_eq!(items[1]["device"]["status"], "assigned");
        assert_eq!(items[1]["device"]["assignedTo"]["id"], "u-bob");
    }
    assert_eq!(g.s.tenant().devices.len(), 4);
}

#[test]
fn bulk_create_leaves_out_what_entra_refuses() {
    let g = Graph::new();
    g.create("DUP", CodeParams::default());
    let r = g.send_json(
        "PATCH",
        INVENTORY,
        &bulk_body(&[("NEW1", None), ("DUP", None)]),
    );
    assert_eq!(r.status(), 201);
    let answer: Value = r.json().unwrap();
    let serials: Vec<&str> = answer["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["device"]["serialNumber"].as_str().unwrap())
        .collect();
    assert_eq!(serials, ["NEW1"]);
    let r = g.send_json("PATCH", INVENTORY, &bulk_body(&[("DUP", None)]));
    assert_eq!(graph_error(r).0, 400);
    assert_eq!(g.s.tenant().devices.len(), 2);
}

#[test]
fn create_validates_as_entra_does_and_stores_nothing_refused() {
    let g = Graph::new();
    let secret = generate_secret(Algorithm::Sha1);
    let base = device("V1", &secret, 30);
    let without = |k: &str| {
        let mut b = base.clone();
        b.as_object_mut().unwrap().remove(k);
        b
    };
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let refused = [
        ("no serial", without("serialNumber")),
        ("no manufacturer", without("manufacturer")),
        ("no model", without("model")),
        ("no secret", without("secretKey")),
        ("no interval", without("timeIntervalInSeconds")),
        ("bad base32", with("secretKey", json!("NOT-BASE32!"))),
        (
            "lowercase base32",
            with("secretKey", json!(secret.to_base32().to_lowercase())),
        ),
        (
            "padded base32",
            with(
                "secretKey",
                json!(format!("{}=", secret.to_base32().as_str())),
            ),
        ),
        ("45 s", with("timeIntervalInSeconds", json!(45))),
        ("45 s as text", with("timeIntervalInSeconds", json!("45"))),
        ("sha512", with("hashFunction", json!("hmacsha512"))),
        ("unknown property", with("digits", json!(8))),
    ];
    for (what, body) in refused {
        let (status, code) = graph_error(g.send_json("POST", INVENTORY, &body));
        assert_eq!((status, code.as_str()), (400, "invalidRequest"), "{what}");
    }
    assert!(g.s.tenant().devices.is_empty());

    let r = g.send_json(
        "POST",
        INVENTORY,
        &with("timeIntervalInSeconds", json!("60")),
    );
    assert_eq!(r.status(), 201);
    assert_eq!(r.json::<Value>().unwrap()["timeIntervalInSeconds"], 60);
    assert_eq!(g.s.tenant().devices[0].params.period, 60);

    let again = device("V1", &generate_secret(Algorithm::Sha1), 30);
    let (status, code) = graph_error(g.send_json("POST", INVENTORY, &again));
    assert_eq!(
        (status, code.as_str()),
        (400, "invalidRequest"),
        "duplicate serial"
    );
    assert_eq!(g.s.tenant().devices.len(), 1);
}

fn list(g: &Graph, query: &str) -> Response {
    g.get(&format!("{INVENTORY}?{query}"))
}

#[test]
fn filters_joined_by_and_select_top_and_count_work_as_documented() {
    let g = Graph::new();
    let (id, _) = g.create("Q1", CodeParams::default());
    g.create("Q2", CodeParams::default());
    g.send_json(
        "POST",
        "/beta/users/bob@contoso.com/authentication/hardwareOathMethods",
        &json!({"device": {"id": id}}),
    );
    let enc = |f: &str| {
        percent_encoding::utf8_percent_encode(f, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let serials = |r: Response| -> Vec<String> {
        assert_eq!(r.status(), 200);
        let v: Value = r.json().unwrap();
        v["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["serialNumber"].as_str().unwrap().to_string())
            .collect()
    };
    let both = enc("serialNumber eq 'Q1' and status eq 'assigned'");
    assert_eq!(serials(list(&g, &format!("$filter={both}"))), ["Q1"]);
    let none = enc("serialNumber eq 'Q1' and status eq 'available'");
    assert!(serials(list(&g, &format!("$filter={none}"))).is_empty());

    for bad in [
        format!("$filter={}", enc("model eq 'C302-i'")),
        format!("$filter={}", enc("startswith(serialNumber,'Q')")),
        "$top=0".to_string(),
        "$orderby=serialNumber".to_string(),
        "$select=secret".to_string(),
    ] {
        assert_eq!(graph_error(list(&g, &bad)).0, 400, "{bad}");
    }

    let picked: Value = list(&g, "$select=serialNumber,status").json().unwrap();
    for d in picked["value"].as_array().unwrap() {
        let keys: Vec<&String> = d.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["serialNumber", "status"], "{d}");
    }

    let total = g.get(&format!("{INVENTORY}/$count"));
    assert_eq!(total.status(), 200);
    assert_eq!(total.text().unwrap(), "2");
    let counted: Value = list(&g, "$count=true&$top=1").json().unwrap();
    assert_eq!(counted["@odata.count"], 2);
    assert_eq!(counted["value"].as_array().unwrap().len(), 1);
    let next = counted["@odata.nextLink"].as_str().unwrap();
    let rest: Value = g
        .http
        .get(next)
        .bearer_auth("op")
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(rest["value"].as_array().unwrap().len(), 1);
}

#[test]
fn a_users_method_and_the_operators_own_methods_can_be_read() {
    let g = Graph::new();
    let (id, _) = g.create("M1", CodeParams::default());
    let methods = "/beta/users/alice@contoso.com/authentication/hardwareOathMethods";
    assert_eq!(
        g.send_json("POST", methods, &json!({"device": {"id": id}}))
            .status(),
        201
    );

    let one: Value = g.get(&format!("{methods}/{id}")).json().unwrap();
    assert_eq!(
        one["@odata.type"],
        "#microsoft.graph.hardwareOathAuthenticationMethod"
    );
    assert_eq!(
        (one["id"].as_str(), one["device"]["serialNumber"].as_str()),
        (Some(id.as_str()), Some("M1"))
    );
    assert!(
        one["createdDateTime"]
            .as_str()
            .is_some_and(|d| d.ends_with('Z')),
        "{one}"
    );
    let other = "/beta/users/bob@contoso.com/authentication/hardwareOathMethods";
    assert_eq!(graph_error(g.get(&format!("{other}/{id}"))).0, 404);

    // A token the sign-in endpoints issued to alice.
    {
        let mut t = g.s.tenant();
        t.tokens.insert(
            "alice-token".into(),
            OPERATOR_SCOPES.iter().map(|s| s.to_string()).collect(),
        );
        t.logins
            .access
            .insert("alice-token".into(), "alice@contoso.com".into());
    }
    let mine: Value = g
        .http
        .get(format!(
            "{}/beta/me/authentication/hardwareOathMethods",
            g.s.base_url()
        ))
        .bearer_auth("alice-token")
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(mine["value"][0]["id"], id.as_str(), "{mine}");
    let r = g
        .http
        .get(format!(
            "{}/beta/me/authentication/hardwareOathMethods/{id}",
            g.s.base_url()
        ))
        .bearer_auth("alice-token")
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    // An app token (no signed-in user) has no /me.
    assert_eq!(
        graph_error(g.get("/beta/me/authentication/hardwareOathMethods")).0,
        400
    );
}

fn code(secret: &oathdesk_otp::Secret) -> String {
    totp(secret, &CodeParams::default(), now()).unwrap()
}

#[test]
fn display_name_on_activation_names_the_token() {
    let g = Graph::new();
    let user = "/beta/users/bob@contoso.com/authentication/hardwareOathMethods";
    let (id, secret) = g.create("N1", CodeParams::default());
    g.send_json("POST", user, &json!({"device": {"id": id}}));
    let r = g.send_json(
        "POST",
        &format!("{user}/{id}/activate"),
        &json!({"verificationCode": code(&secret), "displayName": "Bob's C302"}),
    );
    assert_eq!(r.status(), 204);
    let (id2, secret2) = g.create("N2", CodeParams::default());
    let r = g.send_json("POST", &format!("{user}/assignAndActivate"), &json!({"device": {"id": id2}, "verificationCode": code(&secret2), "displayName": "Bob's spare"}));
    assert_eq!(r.status(), 204);
    let (_, secret3) = g.create("N3", CodeParams::default());
    let r = g.send_json("POST", &format!("{user}/assignAndActivateBySerialNumber"), &json!({"serialNumber": "N3", "verificationCode": code(&secret3), "displayName": "Bob's third"}));
    assert_eq!(r.status(), 204);
    let t = g.s.tenant();
    let names: Vec<(&str, Option<&str>)> = t
        .devices
        .iter()
        .map(|d| (d.status.as_str(), d.display_name.as_deref()))
        .collect();
    assert_eq!(
        names,
        [
            ("activated", Some("Bob's C302")),
            ("activated", Some("Bob's spare")),
            ("activated", Some("Bob's third"))
        ]
    );
}

#[test]
fn a_second_activation_fails_only_with_the_switch_on() {
    for refuse in [false, true] {
        let g = Graph::new();
        g.s.tenant().faults.refuse_reactivation = refuse;
        let user = "/beta/users/bob@contoso.com/authentication/hardwareOathMethods";
        let (id, secret) = g.create("R1", CodeParams::default());
        g.send_json("POST", user, &json!({"device": {"id": id}}));
        let activate = || {
            g.send_json(
                "POST",
                &format!("{user}/{id}/activate"),
                &json!({"verificationCode": code(&secret)}),
            )
        };
        assert_eq!(activate().status(), 204);
        let again = activate();
        if refuse {
            assert_eq!(graph_error(again).0, 400);
        } else {
            assert_eq!(again.status(), 204);
        }
        assert_eq!(g.s.tenant().devices[0].activations, 2);
    }
}

/// `/v1.0/users/{id}` as Graph answers it: the default properties leave
/// out `userType` and `accountEnabled` (a client must `$select` them); an
/// id that does not exist, or a deleted user, is 404. A deleted user's
/// token keeps `assignedTo` with the id in the inventory, and can be
/// taken back through the user's object id.
#[test]
fn users_answer_graphs_properties_and_a_deleted_users_token_keeps_assigned_to() {
    let g = Graph::new();
    let plain: Value = g.get("/v1.0/users/u-bob").json().unwrap();
    assert_eq!(plain["userPrincipalName"], "bob@contoso.com");
    assert!(plain.get("accountEnabled").is_none(), "{plain}");
    assert!(plain.get("userType").is_none(), "{plain}");
    let chosen: Value = g
        .get("/v1.0/users/u-bob?$select=id,accountEnabled,usertype")
        .json()
        .unwrap();
    assert_eq!(chosen["accountEnabled"], true, "{chosen}");
    assert_eq!(chosen["userType"], "Member", "{chosen}");
    assert!(chosen.get("userPrincipalName").is_none(), "{chosen}");
    let missing = g.get("/v1.0/users/no-such-id");
    assert_eq!(missing.status(), 404);
    let body: Value = missing.json().unwrap();
    assert_eq!(body["error"]["code"], "Request_ResourceNotFound");

    let sha1 = CodeParams {
        algorithm: Algorithm::Sha1,
        digits: 6,
        period: 30,
    };
    let (id, _) = g.create("DEL-1", sha1);
    let methods = "/beta/users/u-bob/authentication/hardwareOathMethods";
    let r = g.send_json("POST", methods, &json!({"device": {"id": id}}));
    assert_eq!(r.status(), 201);
    assert!(g.s.tenant().delete_user("u-bob").is_some());
    assert_eq!(g.get("/v1.0/users/u-bob").status(), 404);
    assert_eq!(
        g.get("/v1.0/users/bob@contoso.com").status(),
        404,
        "a deleted user's UPN no longer resolves"
    );
    let listed: Value = g.get(&format!("{INVENTORY}/{id}")).json().unwrap();
    assert_eq!(listed["status"], "assigned");
    assert_eq!(listed["assignedTo"]["id"], "u-bob", "{listed}");
    let r = g.call("DELETE", &format!("{methods}/{id}")).send().unwrap();
    assert_eq!(r.status(), 204);
    let after: Value = g.get(&format!("{INVENTORY}/{id}")).json().unwrap();
    assert_eq!(after["status"], "available");
    assert!(after["assignedTo"].is_null(), "{after}");
}
