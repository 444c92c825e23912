//! Behaviour of `mdm-manifest`, written as specs against the public API.

use mdm_manifest::{
    AllowedHosts, ComponentSource, Error, FilesMount, GetError, HttpRoute, Manifest,
    OutboundTarget, Variables, VariablesError,
};

/// A manifest that uses every field Spin accepts that this host supports.
const FULL: &str = r#"
spin_manifest_version = 2

[application]
name = "mdm"
version = "1.2.3"
description = "MDM on Spin"
authors = ["Ops <ops@example.com>"]
targets = ["spin-up:3.2"]

[application.trigger.http]
base = "/"

[application.tool.lint]
level = "strict"

[variables]
api_host = { default = "api.example.com" }
api_token = { required = true, secret = true, description = "upstream token" }
region = { default = "eu" }

[[trigger.http]]
id = "health"
route = "/api/v1/health"
component = "health"
executor = { type = "http" }

[[trigger.http]]
route = "/api/v1/units/..."
component = "unit-lookup"

[[trigger.http]]
route = { private = true }
component = "audit"

[component.health]
source = "target/wasm32-wasip2/release/health.wasm"
description = "liveness"
environment = { RUST_LOG = "info" }

[component.unit-lookup]
source = "target/wasm32-wasip2/release/unit_lookup.wasm"
allowed_outbound_hosts = ["https://{{ api_host }}", "http://audit.spin.internal"]
key_value_stores = ["default", "units_cache"]
files = ["assets/**/*", { source = "static", destination = "/static" }]
exclude_files = ["assets/secret/*"]
variables = { upstream = "https://{{api_host}}/{{ region }}", token = "{{ api_token }}", plain = "literal" }
targets = ["spin-up:3.2"]
dependencies_inherit_configuration = false

[component.unit-lookup.build]
command = ["cargo build --release", "echo done"]
workdir = "functions/unit-lookup"
watch = ["src/**/*.rs"]

[component.unit-lookup.tool.clippy]
deny = "warnings"

[component.unit-lookup.profile.debug]
source = "target/debug/unit_lookup.wasm"

[component.audit]
source = "audit.wasm"
build = { command = "cargo build" }
"#;

fn parse(text: &str) -> Result<Manifest, Error> {
    text.parse()
}

fn parse_err(text: &str) -> String {
    match parse(text) {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(e) => e.to_string(),
    }
}

/// A minimal valid manifest with `extra` appended to `[component.web]`.
fn with_component_fields(extra: &str) -> String {
    format!(
        r#"
spin_manifest_version = 2
[application]
name = "t"
[variables]
host = {{ default = "example.com" }}
[[trigger.http]]
route = "/..."
component = "web"
[component.web]
source = "web.wasm"
{extra}
"#
    )
}

fn assert_mentions(message: &str, needles: &[&str]) {
    for needle in needles {
        assert!(
            message.contains(needle),
            "error should mention {needle:?}:\n{message}"
        );
    }
}

mod manifest {
    use super::*;

    #[test]
    fn valid_manifest_round_trips() {
        let manifest = parse(FULL).unwrap();
        let text = manifest.to_toml().unwrap();
        let again = parse(&text).unwrap_or_else(|e| panic!("{e}\n---\n{text}"));
        assert_eq!(manifest, again);
    }

    #[test]
    fn every_supported_field_is_read() {
        let m = parse(FULL).unwrap();
        assert_eq!(m.application.name, "mdm");
        assert_eq!(m.application.authors, ["Ops <ops@example.com>"]);
        assert!(m.variables["api_token"].secret);
        assert!(m.variables["api_token"].required);

        let unit = m.component("unit-lookup").unwrap();
        assert_eq!(
            unit.source,
            ComponentSource::Local("target/wasm32-wasip2/release/unit_lookup.wasm".into())
        );
        assert_eq!(unit.key_value_stores.len(), 2);
        assert_eq!(
            unit.files[1],
            FilesMount::Placement {
                source: "static".into(),
                destination: "/static".into()
            }
        );
        let build = unit.build.as_ref().unwrap();
        assert_eq!(
            build.command.iter().collect::<Vec<_>>(),
            ["cargo build --release", "echo done"]
        );
        assert_eq!(
            m.component("health").unwrap().environment["RUST_LOG"],
            "info"
        );

        let routes: Vec<_> = m
            .http_routes()
            .map(|(trigger, component, route)| (trigger, component.as_str(), route.clone()))
            .collect();
        assert_eq!(
            routes,
            [
                ("health", "health", HttpRoute::Path("/api/v1/health".into())),
                (
                    "unit-lookup-http-trigger",
                    "unit-lookup",
                    HttpRoute::Path("/api/v1/units/...".into())
                ),
                (
                    "audit-http-trigger",
                    "audit",
                    HttpRoute::Private(mdm_manifest::PrivateEndpoint { private: true })
                ),
            ]
        );
        // base = "/" is accepted with a deprecation warning, as in Spin 3.
        assert!(m.warnings().iter().any(|w| w.contains("base")));
    }

    #[test]
    fn per_component_accessors_for_the_host() {
        let m = parse(FULL).unwrap();
        assert_eq!(
            m.component_ids().collect::<Vec<_>>(),
            ["audit", "health", "unit-lookup"]
        );
        assert_eq!(
            m.source_path("health"),
            std::path::Path::new("target/wasm32-wasip2/release/health.wasm")
        );
        assert_eq!(m.source_path("ghost"), std::path::Path::new(""));
        assert_eq!(
            m.build("unit-lookup").unwrap().commands(),
            ["cargo build --release", "echo done"]
        );
        assert_eq!(m.build("audit").unwrap().commands(), ["cargo build"]);
        assert!(m.build("health").is_none());
        assert_eq!(
            m.key_value_stores("unit-lookup"),
            ["default", "units_cache"]
        );
        assert!(m.key_value_stores("health").is_empty());
        assert_eq!(
            m.allowed_outbound_hosts("unit-lookup"),
            ["https://{{ api_host }}", "http://audit.spin.internal"]
        );
        assert!(m.allowed_outbound_hosts("ghost").is_empty());
    }

    #[test]
    fn inline_components_are_normalised_like_spin() {
        let m = parse(
            r#"
spin_manifest_version = 2
[application]
name = "t"
[[trigger.http]]
route = "/a"
component = { source = "a.wasm" }
[[trigger.http]]
id = "named"
route = "/b"
component = { source = "b.wasm" }
"#,
        )
        .unwrap();
        let ids: Vec<_> = m.http_routes().map(|(t, c, _)| (t, c.as_str())).collect();
        assert_eq!(
            ids,
            [
                ("http-trigger1", "http-trigger1-component"),
                ("named", "named-component")
            ]
        );
        assert!(m.component("named-component").is_some());
    }

    #[test]
    fn misspelt_component_field_is_named() {
        let msg = parse_err(&with_component_fields(r#"key_value_store = ["default"]"#));
        assert_mentions(&msg, &["key_value_store", "unknown field", "line"]);
    }

    #[test]
    fn misspelt_application_and_trigger_fields_are_named() {
        let msg = parse_err(
            r#"
spin_manifest_version = 2
[application]
name = "t"
descripton = "typo"
[[trigger.http]]
route = "/"
component = "web"
[component.web]
source = "web.wasm"
"#,
        );
        assert_mentions(&msg, &["descripton"]);

        let msg = parse_err(
            r#"
spin_manifest_version = 2
[application]
name = "t"
[[trigger.http]]
rout = "/"
component = "web"
[component.web]
source = "web.wasm"
"#,
        );
        assert_mentions(&msg, &["rout"]);
    }

    #[test]
    fn missing_route_is_named() {
        let msg = parse_err(
            r#"
spin_manifest_version = 2
[application]
name = "t"
[[trigger.http]]
component = "web"
[component.web]
source = "web.wasm"
"#,
        );
        assert_mentions(&msg, &["route"]);
    }

    #[test]
    fn trigger_referencing_unknown_component_is_rejected() {
        let msg = parse_err(
            r#"
spin_manifest_version = 2
[application]
name = "t"
[[trigger.http]]
route = "/"
component = "nope"
"#,
        );
        assert_mentions(&msg, &["nope", "not defined"]);
    }

    #[test]
    fn invalid_component_id_is_named() {
        let msg = parse_err(
            r#"
spin_manifest_version = 2
[application]
name = "t"
[[trigger.http]]
route = "/"
component = "unit_lookup"
[component.unit_lookup]
source = "u.wasm"
"#,
        );
        assert_mentions(&msg, &["unit_lookup", "'-', not '_'"]);

        let msg =
            parse_err(&with_component_fields("").replace("[component.web]", "[component.Web]"));
        assert_mentions(&msg, &["Web", "component id"]);
    }

    #[test]
    fn invalid_variable_names_are_named() {
        let msg = parse_err(
            r#"
spin_manifest_version = 2
[application]
name = "t"
[variables]
api-host = { default = "x" }
[[trigger.http]]
route = "/"
component = "web"
[component.web]
source = "web.wasm"
"#,
        );
        assert_mentions(&msg, &["api-host", "variable name"]);

        let msg = parse_err(&with_component_fields(r#"variables = { BadName = "x" }"#));
        assert_mentions(&msg, &["BadName", "variable name"]);
    }

    #[test]
    fn duplicate_routes_are_rejected() {
        for (first, second) in [("/a", "/a"), ("/a", "/a/"), ("/a", "a"), ("/...", "/...")] {
            let msg = parse_err(&format!(
                r#"
spin_manifest_version = 2
[application]
name = "t"
[[trigger.http]]
route = "{first}"
component = "web"
[[trigger.http]]
route = "{second}"
component = "web"
[component.web]
source = "web.wasm"
"#
            ));
            assert_mentions(&msg, &["duplicates", "route"]);
        }
    }

    #[test]
    fn manifest_version_must_be_2() {
        let v1 = parse_err(
            "spin_manifest_version = \"1\"\nname = \"old\"\ntrigger = { type = \"http\" }",
        );
        assert_mentions(&v1, &["spin_manifest_version", "\"1\"", "Spin 1"]);
        let v3 = parse_err("spin_manifest_version = 3\n[application]\nname = \"t\"");
        assert_mentions(&v3, &["spin_manifest_version", "3"]);
        let missing = parse_err("[application]\nname = \"t\"");
        assert_mentions(&missing, &["spin_manifest_version", "<missing>"]);
    }

    #[test]
    fn variable_required_and_default_are_exclusive() {
        let both = with_component_fields("").replace(
            r#"host = { default = "example.com" }"#,
            r#"host = { default = "example.com", required = true }"#,
        );
        assert_mentions(&parse_err(&both), &["variables.host", "mutually exclusive"]);

        let neither = with_component_fields("").replace(
            r#"host = { default = "example.com" }"#,
            r#"host = { secret = true }"#,
        );
        assert_mentions(&parse_err(&neither), &["variables.host", "required"]);
    }

    #[test]
    fn component_variable_templates_must_use_declared_variables() {
        let msg = parse_err(&with_component_fields(
            r#"variables = { url = "https://{{ hots }}" }"#,
        ));
        assert_mentions(
            &msg,
            &["component.web.variables.url", "hots", "[variables]"],
        );

        let msg = parse_err(&with_component_fields(
            r#"variables = { url = "https://{{ host" }"#,
        ));
        assert_mentions(&msg, &["component.web.variables.url", "unmatched"]);

        let msg = parse_err(&with_component_fields(
            r#"allowed_outbound_hosts = ["https://{{ nope }}"]"#,
        ));
        assert_mentions(&msg, &["component.web.allowed_outbound_hosts", "nope"]);
    }

    #[test]
    fn invalid_outbound_hosts_are_rejected_at_load() {
        for (entry, needle) in [
            ("https://example.com/api", "path"),
            ("example.com", "missing scheme"),
            ("https://exa*mple.com", "'*'"),
            ("insecure:allow-all", "insecure:allow-all"),
        ] {
            let msg = parse_err(&with_component_fields(&format!(
                r#"allowed_outbound_hosts = ["{entry}"]"#
            )));
            assert_mentions(
                &msg,
                &["component.web.allowed_outbound_hosts", entry, needle],
            );
        }
    }

    #[test]
    fn deprecated_allowed_http_hosts_is_converted_with_a_warning() {
        let m = parse(&with_component_fields(
            r#"allowed_http_hosts = ["example.com:8080"]"#,
        ))
        .unwrap();
        assert!(
            m.warnings()
                .iter()
                .any(|w| w.contains("allowed_http_hosts"))
        );
        assert_eq!(
            m.component("web").unwrap().outbound_host_entries(),
            ["http://example.com:8080", "https://example.com:8080"]
        );
        let msg = parse_err(&with_component_fields(
            r#"allowed_http_hosts = ["ftp://x.com"]"#,
        ));
        assert_mentions(&msg, &["component.web.allowed_http_hosts", "ftp"]);
    }

    #[test]
    fn unsupported_capabilities_are_load_errors_naming_the_field() {
        let cases = [
            (
                r#"sqlite_databases = ["default"]"#,
                "component.web.sqlite_databases",
            ),
            (r#"ai_models = ["llama2-chat"]"#, "component.web.ai_models"),
            (
                "[component.web.dependencies]\n\"wasi:cli/x\" = { path = \"dep.wasm\" }",
                "component.web.dependencies",
            ),
        ];
        for (extra, field) in cases {
            let msg = parse_err(&with_component_fields(extra));
            assert_mentions(&msg, &[field, "not supported by this host"]);
        }

        let url = with_component_fields("").replace(
            r#"source = "web.wasm""#,
            r#"source = { url = "https://example.com/web.wasm", digest = "sha256:abc" }"#,
        );
        assert_mentions(
            &parse_err(&url),
            &["component.web.source", "not supported", "url"],
        );

        let registry = with_component_fields("").replace(
            r#"source = "web.wasm""#,
            r#"source = { registry = "ttl.sh", package = "a:b", version = "1.0.0" }"#,
        );
        assert_mentions(
            &parse_err(&registry),
            &["component.web.source", "not supported"],
        );

        let redis = format!(
            "{}\n[[trigger.redis]]\nchannel = \"c\"\ncomponent = \"web\"\n",
            with_component_fields("")
        );
        assert_mentions(&parse_err(&redis), &["trigger.redis", "not supported"]);

        let wagi = with_component_fields("").replace(
            "component = \"web\"",
            "component = \"web\"\nexecutor = { type = \"wagi\" }",
        );
        assert_mentions(&parse_err(&wagi), &["executor", "not supported", "Wagi"]);

        let static_response = with_component_fields("").replace(
            "component = \"web\"",
            "component = \"web\"\nstatic_response = { status_code = 404 }",
        );
        assert_mentions(
            &parse_err(&static_response),
            &["static_response", "not supported"],
        );
    }

    #[test]
    fn url_source_without_digest_is_a_parse_error() {
        let text = with_component_fields("").replace(
            r#"source = "web.wasm""#,
            r#"source = { url = "https://example.com/web.wasm" }"#,
        );
        assert_mentions(&parse_err(&text), &["digest", "line"]);
    }

    #[test]
    fn base_other_than_root_is_rejected_like_spin_3() {
        let text = with_component_fields("").replace(
            "[variables]",
            "[application.trigger.http]\nbase = \"/api\"\n[variables]",
        );
        assert_mentions(
            &parse_err(&text),
            &["application.trigger.http.base", "/api"],
        );
    }

    #[test]
    fn private_false_is_rejected() {
        let text =
            with_component_fields("").replace("route = \"/...\"", "route = { private = false }");
        assert_mentions(&parse_err(&text), &["private = false"]);
    }

    #[test]
    fn unknown_executor_type_is_named() {
        let text = with_component_fields("").replace(
            "component = \"web\"",
            "component = \"web\"\nexecutor = { type = \"grpc\" }",
        );
        assert_mentions(&parse_err(&text), &["executor.type", "grpc"]);
    }

    #[test]
    fn load_reads_a_file_and_names_it_in_errors() {
        let dir = std::env::temp_dir().join(format!("mdm-manifest-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("spin.toml");
        std::fs::write(&good, FULL).unwrap();
        assert_eq!(Manifest::load(&good).unwrap().application.name, "mdm");

        let bad = dir.join("bad.toml");
        std::fs::write(&bad, with_component_fields("oops = 1")).unwrap();
        let msg = Manifest::load(&bad).unwrap_err().to_string();
        assert_mentions(&msg, &["bad.toml", "oops"]);

        let missing = Manifest::load(dir.join("absent.toml")).unwrap_err();
        assert!(matches!(missing, Error::Io { .. }), "{missing}");
        std::fs::remove_dir_all(&dir).ok();
    }
}

mod variables {
    use std::collections::HashMap;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn environment_overrides_default_and_fills_required() {
        let m = parse(FULL).unwrap();
        let vars = Variables::resolve(&m, env(&[("api_token", "t0k"), ("region", "us")])).unwrap();
        assert_eq!(
            vars.get("unit-lookup", "upstream").unwrap(),
            "https://api.example.com/us"
        );
        assert_eq!(vars.get("unit-lookup", "token").unwrap(), "t0k");
        assert_eq!(vars.get("unit-lookup", "plain").unwrap(), "literal");
        assert_eq!(vars.app_value("api_host"), Some("api.example.com"));
    }

    #[test]
    fn empty_environment_value_counts_as_set() {
        let m = parse(FULL).unwrap();
        let vars = Variables::resolve(&m, env(&[("api_token", ""), ("region", "")])).unwrap();
        assert_eq!(
            vars.get("unit-lookup", "upstream").unwrap(),
            "https://api.example.com/"
        );
    }

    #[test]
    fn missing_required_variable_is_a_start_up_error_naming_it() {
        let m = parse(FULL).unwrap();
        let err = Variables::resolve(&m, env(&[])).unwrap_err();
        assert!(matches!(err, VariablesError::MissingRequired(ref v) if v.len() == 1));
        assert_mentions(&err.to_string(), &["api_token", "SPIN_VARIABLE_API_TOKEN"]);
    }

    #[test]
    fn get_distinguishes_invalid_names_from_undefined_ones() {
        let m = parse(FULL).unwrap();
        let vars = Variables::resolve(&m, env(&[("api_token", "t")])).unwrap();
        assert!(matches!(
            vars.get("unit-lookup", "Bad-Name"),
            Err(GetError::InvalidName(_))
        ));
        // Application variables are not visible to components directly.
        assert!(matches!(
            vars.get("unit-lookup", "api_host"),
            Err(GetError::Undefined { .. })
        ));
        // Another component's variables are not visible either.
        assert!(matches!(
            vars.get("health", "upstream"),
            Err(GetError::Undefined { .. })
        ));
        assert!(matches!(
            vars.get("ghost", "upstream"),
            Err(GetError::Undefined { .. })
        ));
    }

    #[test]
    fn secrets_are_tracked_and_redacted_from_debug() {
        let m = parse(FULL).unwrap();
        let vars = Variables::resolve(&m, env(&[("api_token", "hunter2")])).unwrap();
        assert!(vars.is_secret("unit-lookup", "token"));
        assert!(!vars.is_secret("unit-lookup", "upstream"));
        let debug = format!("{vars:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(debug.contains("<secret>"), "{debug}");
    }

    #[test]
    fn env_var_names_are_upper_cased() {
        assert_eq!(
            mdm_manifest::variables::env_var_name("api_host"),
            "SPIN_VARIABLE_API_HOST"
        );
    }
}

mod allowed_hosts {
    use super::*;

    fn hosts_and_warnings(entries: &[&str]) -> (AllowedHosts, Vec<String>) {
        AllowedHosts::parse(entries, |name| match name {
            "api_host" => Some("api.example.com".into()),
            "api_port" => Some("8443".into()),
            _ => None,
        })
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn hosts(entries: &[&str]) -> AllowedHosts {
        hosts_and_warnings(entries).0
    }

    /// (entries, scheme, host, port, allowed)
    type Row = (
        &'static [&'static str],
        &'static str,
        &'static str,
        Option<u16>,
        bool,
    );

    #[test]
    fn entries_allow_what_spin_allows() {
        let table: &[Row] = &[
            (&["https://example.com"], "https", "example.com", None, true),
            (
                &["https://example.com"],
                "https",
                "example.com",
                Some(443),
                true,
            ),
            (
                &["https://example.com"],
                "https",
                "example.com",
                Some(8443),
                false,
            ),
            (&["https://example.com"], "http", "example.com", None, false),
            (
                &["https://example.com/"],
                "https",
                "example.com",
                None,
                true,
            ),
            (&["https://Example.COM"], "https", "example.com", None, true),
            (
                &["http://example.com:8080"],
                "http",
                "example.com",
                Some(8080),
                true,
            ),
            (
                &["http://example.com:8080"],
                "http",
                "example.com",
                None,
                false,
            ),
            (
                &["https://*.example.com"],
                "https",
                "a.example.com",
                None,
                true,
            ),
            (
                &["https://*.example.com"],
                "https",
                "a.b.example.com",
                None,
                true,
            ),
            (
                &["https://*.example.com"],
                "https",
                "example.com",
                None,
                false,
            ),
            (
                &["https://*.example.com"],
                "https",
                "myexample.com",
                None,
                false,
            ),
            (
                &["*://example.com:*"],
                "redis",
                "example.com",
                Some(1),
                true,
            ),
            (&["*://example.com:*"], "https", "other.com", None, false),
            (
                &["http://127.0.0.1:*"],
                "http",
                "127.0.0.1",
                Some(3000),
                true,
            ),
            (
                &["http://127.0.0.1:*"],
                "https",
                "127.0.0.1",
                Some(3000),
                false,
            ),
            (&["http://*:*"], "http", "anything.test", Some(1234), true),
            (&["https://*"], "https", "anything.test", None, true),
            (&["https://*"], "https", "anything.test", Some(8443), false),
            (
                &["http://localhost:3000..3010"],
                "http",
                "localhost",
                Some(3009),
                true,
            ),
            (
                &["http://localhost:3000..3010"],
                "http",
                "localhost",
                Some(3010),
                false,
            ),
            (&["http://[::1]:8001"], "http", "[::1]", Some(8001), true),
            (&["http://[::1]"], "http", "[::1]", None, true),
            (
                &["http://unit-lookup.spin.internal"],
                "http",
                "unit-lookup.spin.internal",
                None,
                true,
            ),
            (
                &["http://unit-lookup.spin.internal"],
                "http",
                "audit.spin.internal",
                None,
                false,
            ),
            (
                &["http://*.spin.internal"],
                "http",
                "audit.spin.internal",
                None,
                true,
            ),
            (
                &["https://{{ api_host }}"],
                "https",
                "api.example.com",
                None,
                true,
            ),
            (
                &["https://{{api_host}}:{{ api_port }}"],
                "https",
                "api.example.com",
                Some(8443),
                true,
            ),
            (
                &["redis://cache.local"],
                "redis",
                "cache.local",
                Some(6379),
                true,
            ),
            (&[], "https", "example.com", None, false),
        ];
        for (entries, scheme, host, port, expected) in table {
            let allowed = hosts(entries).allows_target(&OutboundTarget::new(scheme, host, *port));
            if let Some(port) = port {
                assert_eq!(hosts(entries).allows(scheme, host, *port), allowed);
            }
            assert_eq!(
                allowed, *expected,
                "{entries:?} allows {scheme}://{host}:{port:?}?"
            );
        }
    }

    #[test]
    fn invalid_entries_are_rejected_with_a_reason() {
        let table: &[(&str, &str)] = &[
            ("example.com", "missing scheme"),
            ("example.com:80", "missing scheme"),
            ("*", "missing scheme"),
            ("https://example.com/api", "path"),
            ("https://example.com:443/api", "path"),
            ("https://exa*mple.com", "'*'"),
            ("https://*.*.example.com", "'*'"),
            ("ht1p://example.com", "scheme"),
            ("{http,https}://example.com", "lists"),
            ("*://example.com", "default port"),
            ("tcp://example.com", "default port"),
            ("https://example.com:http", "port"),
            ("https://example.com:70000", "port"),
            ("https://example.com:9..1", "port"),
            ("insecure:allow-all", "*://*:*"),
            ("https://{{ nope }}", "nope"),
            ("https://{{ api_host", "template"),
        ];
        for (entry, needle) in table {
            let err = AllowedHosts::parse([*entry], |_| None).unwrap_err();
            let msg = err.to_string();
            assert!(msg.contains(needle), "{entry:?}: {msg}");
            assert!(msg.contains(entry.trim()), "{entry:?}: {msg}");
        }
    }

    #[test]
    fn self_means_service_chaining_to_the_app_and_warns() {
        let (h, warnings) = hosts_and_warnings(&["http://self"]);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("GHSA-f3h7-gpjj-wcvh"));
        assert!(h.allows_service_chaining_to("unit-lookup"));
        assert!(h.allows_self_requests("http"));
        assert!(!h.allows_self_requests("https"));
        assert!(!h.allows("http", "self", 80));
        assert!(!h.allows("http", "example.com", 80));

        // Never implicit: nothing else grants it.
        let (none, warnings) = hosts_and_warnings(&["https://example.com"]);
        assert!(warnings.is_empty());
        assert!(!none.allows_service_chaining_to("unit-lookup"));
        assert!(!none.allows_self_requests("http"));
    }

    #[test]
    fn service_chaining_can_be_granted_per_component() {
        let h = hosts(&["http://unit-lookup.spin.internal"]);
        assert!(h.allows_service_chaining_to("unit-lookup"));
        assert!(!h.allows_service_chaining_to("audit"));
    }

    #[test]
    fn allow_list_for_a_component_uses_resolved_app_variables() {
        let m = parse(FULL).unwrap();
        let vars =
            Variables::resolve(&m, |name| (name == "api_token").then(|| "t".to_owned())).unwrap();
        let (h, _) = AllowedHosts::for_component(&m, &vars, "unit-lookup").unwrap();
        let uri: http::Uri = "https://api.example.com/v1/units".parse().unwrap();
        assert!(h.allows_uri(&uri));
        assert!(h.allows_service_chaining_to("audit"));
        assert!(!h.allows_uri(&"https://evil.example.com/".parse().unwrap()));
        assert!(
            AllowedHosts::for_component(&m, &vars, "health")
                .unwrap()
                .0
                .is_empty()
        );
    }
}
