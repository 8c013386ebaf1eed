//! Property tests: the response, error, token and address parsers never panic, whatever the input.

use oas_api::{jwt, parse, flatten_fields, ApiKey, ServerUrl};
use proptest::prelude::*;
use serde_json::{json, Value};

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z_]{0,8}",
        Just("results".to_string()),
        Just("count".to_string()),
        Just("next".to_string()),
        Just("previous".to_string()),
        Just("id".to_string()),
        Just("name".to_string()),
        Just("currencies".to_string()),
        Just("owner".to_string()),
        Just("contacts".to_string()),
        Just("image".to_string()),
        Just("is_active".to_string()),
        Just("detail".to_string()),
        Just("non_field_errors".to_string()),
        Just("code".to_string()),
        Just("access".to_string()),
        Just("exp".to_string()),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
        ".{0,24}".prop_map(Value::String),
        Just(json!("USD, EUR")),
        Just(json!("Token is expired")),
    ];
    leaf.prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..8).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn content_type() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        Just(Some("application/json".to_string())),
        Just(Some("text/html; charset=utf-8".to_string())),
        ".{0,30}".prop_map(Some),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn error_mapping_never_panics_on_bytes(login in any::<bool>(), status in 100u16..600, ct in content_type(), body in prop::collection::vec(any::<u8>(), 0..512)) {
        let (code, message) = parse::error_for(login, status, ct.as_deref(), &body);
        prop_assert!(!code.is_empty());
        prop_assert!(!message.is_empty());
    }

    #[test]
    fn error_mapping_never_panics_on_json(login in any::<bool>(), status in prop_oneof![Just(400u16), Just(401), Just(403), Just(404), Just(429), 100u16..600], v in json_value()) {
        let body = serde_json::to_vec(&v).unwrap();
        let (code, message) = parse::error_for(login, status, Some("application/json"), &body);
        prop_assert!(!code.is_empty());
        prop_assert!(!message.contains('\n') || code == "validation");
    }

    #[test]
    fn field_flattening_never_panics(v in json_value()) {
        let fields = flatten_fields(&v);
        for k in fields.keys() {
            prop_assert!(!k.is_empty());
        }
    }

    #[test]
    fn model_parsers_never_panic(v in json_value(), bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let body = serde_json::to_vec(&v).unwrap();
        let _ = parse::organisation_page(&body);
        let _ = parse::user(&body);
        let _ = parse::organisation_page(&bytes);
        let _ = parse::user(&bytes);
        let _ = parse::currencies(&v);
        if let Some(p) = parse::organisation_page(&body) {
            prop_assert!(p.count as usize >= p.results.len() || v.get("count").is_some());
        }
    }

    #[test]
    fn currencies_are_clean(s in ".{0,40}") {
        for c in parse::currencies(&Value::String(s)) {
            prop_assert!(!c.is_empty());
            prop_assert_eq!(c.trim(), c.as_str());
        }
    }

    #[test]
    fn jwt_claims_never_panic(s in ".{0,200}", payload in prop::collection::vec(any::<u8>(), 0..200), v in json_value()) {
        let _ = jwt::claims(&s);
        let _ = jwt::base64url_decode(&s);
        let _ = jwt::claims(&format!("h.{}.s", hex::encode(&payload)));
        let encoded = encode(&serde_json::to_vec(&v).unwrap());
        let claims = jwt::claims(&format!("h.{encoded}.s"));
        if v.is_object() {
            prop_assert!(claims.is_some());
        }
    }

    #[test]
    fn base64_round_trip(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        prop_assert_eq!(jwt::base64url_decode(&encode(&bytes)), Some(bytes));
    }

    #[test]
    fn server_url_parse_never_panics_and_is_idempotent(s in ".{0,80}") {
        if let Ok(u) = ServerUrl::parse(&s) {
            prop_assert!(u.as_str().ends_with("/api/"));
            prop_assert!(u.as_str().starts_with("https://") || u.as_str().starts_with("http://"));
            let again = ServerUrl::parse(u.as_str()).unwrap();
            prop_assert_eq!(again.as_str(), u.as_str());
        }
    }

    #[test]
    fn server_url_from_plausible_input(host in "[a-z]{1,10}(\\.[a-z]{2,5}){1,2}", port in prop::option::of(1u16..65535), path in prop_oneof![Just(""), Just("/"), Just("/api"), Just("/api/"), Just("/api/docs/"), Just("/api/organisations/?page=2")], scheme in prop_oneof![Just(""), Just("https://")], pad in " {0,3}") {
        let port_part = port.map(|p| format!(":{p}")).unwrap_or_default();
        let input = format!("{pad}{scheme}{host}{port_part}{path}{pad}");
        let u = ServerUrl::parse(&input).unwrap();
        let expected_port = match port { Some(443) | None => String::new(), Some(p) => format!(":{p}") };
        prop_assert_eq!(u.as_str(), format!("https://{host}{expected_port}/api/"));
    }

    #[test]
    fn api_key_debug_never_shows_the_key(s in "[!-~]{8,60}") {
        let k = ApiKey::parse(&s).unwrap();
        let debug = format!("{:?}", k);
        let display = format!("{}", k);
        prop_assert!(!debug.contains(&s));
        prop_assert!(!display.contains(&s));
        prop_assert_eq!(k.hint().chars().count(), 4);
    }

    #[test]
    fn api_key_parse_never_panics(s in ".{0,60}") {
        let _ = ApiKey::parse(&s);
    }
}

fn encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
