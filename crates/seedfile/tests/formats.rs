//! Token2's JSON and CSV and Entra's CSV: detected from content, read into
//! records with the file's own settings, and every record checked against
//! what Entra takes, each refusal naming its line or record, never the
//! secret.

mod common;

use common::{plain, read_with};
use oathdesk_otp::Algorithm;
use oathdesk_seedfile::{Format, Place, check, detect};

const B32: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const HEX: &str = "3132333435363738393031323334353637383930";

const TOKEN2_JSON: &str = r#"[
  {"serialNumber": "8659623852751", "manufacturer": "Token2", "model": "C202",
   "secretKey": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "timeIntervalInSeconds": 30, "hashFunction": "hmacsha1"},
  {"serialNumber": "8659623852752", "manufacturer": "Token2", "model": "C302-i",
   "secretKey": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "timeIntervalInSeconds": "60", "hashFunction": "hmacsha256",
   "displayName": "Desk 4", "assignTo": {"id": "jane@contoso.com"}}
]"#;

#[test]
fn token2_json_reads_graphs_objects() {
    assert_eq!(detect(TOKEN2_JSON.as_bytes()), Some(Format::Token2Json));
    let file = plain(TOKEN2_JSON.as_bytes()).unwrap();
    assert_eq!(
        (file.format, file.records.len(), file.refused.len()),
        (Format::Token2Json, 2, 0)
    );
    let [a, b] = &file.records[..] else {
        unreachable!()
    };
    assert_eq!(
        (a.serial.as_str(), a.model.as_str(), a.params.period),
        ("8659623852751", "C202", 30)
    );
    assert_eq!(a.secret.to_base32().as_str(), B32);
    assert_eq!(
        (b.params.algorithm, b.params.period, b.params.digits),
        (Algorithm::Sha256, 60, 6)
    );
    assert_eq!(
        (b.user.as_deref(), b.display_name.as_deref()),
        (Some("jane@contoso.com"), Some("Desk 4"))
    );
    assert_eq!(b.place, Place::Record(2));
}

#[test]
fn a_delta_bulk_body_reads_like_the_array() {
    let body = format!(r##"{{"@context": "#$delta", "value": {TOKEN2_JSON}}}"##);
    assert_eq!(plain(body.as_bytes()).unwrap().records.len(), 2);
}

#[test]
fn token2_csv_takes_hex_seeds_and_a_hash_column() {
    let csv = format!(
        "serial number,secret key,time interval,manufacturer,model,hash\n\
         60234567,{HEX},30,Token2,C202,sha256\n\
         60234568,{HEX}41,60,,C203,\n"
    );
    assert_eq!(detect(csv.as_bytes()), Some(Format::Token2Csv));
    let file = plain(csv.as_bytes()).unwrap();
    let [a, b] = &file.records[..] else {
        panic!("{:?}", file.refused)
    };
    assert_eq!(a.secret.expose(), b"12345678901234567890");
    assert!(a.hex_converted && b.hex_converted);
    assert_eq!(
        (a.params.algorithm, b.params.algorithm),
        (Algorithm::Sha256, Algorithm::Sha1)
    );
    assert_eq!(
        (b.manufacturer.as_str(), b.place),
        ("Token2", Place::Line(3))
    );
    let checked = check(file);
    assert_eq!(
        checked.accepted[0].warnings,
        ["hex secret converted to base32"]
    );
}

#[test]
fn entra_csv_reads_the_legacy_columns_both_spellings() {
    for interval in ["time interval", "timeinterval"] {
        let csv = format!(
            "upn,serial number,secret key,{interval},manufacturer,model\n\
             jane@contoso.com,S1,{B32},60,Contoso,HardwareKey\n,S2,{HEX},30,Contoso,HardwareKey\n"
        );
        assert_eq!(detect(csv.as_bytes()), Some(Format::EntraCsv));
        let file = plain(csv.as_bytes()).unwrap();
        let [a, b] = &file.records[..] else {
            panic!("{:?}", file.refused)
        };
        assert_eq!(
            (a.user.as_deref(), a.params.period, a.hex_converted),
            (Some("jane@contoso.com"), 60, false)
        );
        assert_eq!((b.user.as_deref(), b.hex_converted), (None, true));
        assert_eq!(b.secret.expose(), b"12345678901234567890");
    }
}

#[test]
fn a_named_format_is_used_and_a_wrong_one_says_what_is_missing() {
    let e = read_with(
        TOKEN2_JSON.as_bytes(),
        Some(Format::EntraCsv),
        None,
        None,
        None,
    )
    .0
    .unwrap_err();
    assert!(e.to_string().contains("no \"upn\" column"), "{e}");
    assert!("pskc".parse::<Format>().is_ok() && "xml".parse::<Format>().is_err());
}

#[test]
fn what_is_no_seed_file_is_said_so() {
    for junk in ["", "hello", "<html></html>", "a,b,c\n1,2,3\n"] {
        let e = plain(junk.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("not a seed file"), "{junk:?}: {e}");
    }
}

/// Each bad record is refused at its place, the others accepted; no
/// refusal carries the secret in any form.
#[test]
fn refusals_name_the_line_and_never_the_secret() {
    let csv = format!(
        "upn,serial number,secret key,time interval,manufacturer,model\n\
         ,S1,{B32},45,T,M\n,S2,{B32}AB,30,T,M\n,S1,{B32}CD,30,T,M\n,S4,not-base32!,30,T,M\n\
         ,S5,{B32}{B32}{B32}{B32}{B32},30,T,M\n,S6,{B32}EF,30,T,\n,S7,{B32}GH,abc,T,M\n"
    );
    let checked = check(plain(csv.as_bytes()).unwrap());
    let refused: Vec<String> = checked.refused.iter().map(ToString::to_string).collect();
    let expect = [
        ("line 2: ", "not 45 s"),
        ("line 4: ", "serial S1 is also at line 2"),
        ("line 5: ", "neither base32 nor hex"),
        ("line 6: ", "Entra holds 80 to 640 bits"),
        ("line 7: ", "the model is empty"),
        ("line 8: ", "not a number of seconds"),
    ];
    assert_eq!(refused.len(), expect.len(), "{refused:#?}");
    for (r, (at, says)) in refused.iter().zip(expect) {
        assert!(r.starts_with(at) && r.contains(says), "{r}");
        for form in ["JBSWY3DP", "jbswy3dp", "48656c6c6f21", "not-base32"] {
            assert!(!r.contains(form), "{r}");
        }
    }
    assert_eq!(checked.accepted.len(), 1, "only S2 is good");
}

#[test]
fn json_refusals_name_the_record() {
    let json = r#"[{"serialNumber":"A","manufacturer":"T","model":"M","secretKey":"JBSWY3DPEHPK3PXP","timeIntervalInSeconds":45},
        {"serialNumber":"B","manufacturer":"T","model":"M","secretKey":"JBSWY3DPEHPK3PXP","timeIntervalInSeconds":30,"hashFunction":"hmacsha512"},
        {"serialNumber":"C","manufacturer":"T","model":"M","timeIntervalInSeconds":30}, 7]"#;
    let checked = check(plain(json.as_bytes()).unwrap());
    let refused: Vec<String> = checked.refused.iter().map(ToString::to_string).collect();
    assert!(
        refused[0].starts_with("record 1: ") && refused[0].contains("not 45 s"),
        "{refused:?}"
    );
    assert!(
        refused[1].starts_with("record 2: ") && refused[1].contains("SHA-1 or SHA-256"),
        "{refused:?}"
    );
    assert!(
        refused[2].starts_with("record 3: ") && refused[2].contains("no secretKey"),
        "{refused:?}"
    );
    assert!(
        refused[3].starts_with("record 4: ") && refused[3].contains("not a JSON object"),
        "{refused:?}"
    );
}
