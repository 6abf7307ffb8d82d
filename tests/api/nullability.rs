//! The schema's nullability holds for every caller: generated from the schema, not listed by hand.
//!
//! Code generated from `schema.graphql` (Apollo's and Relay's types, Swift and Kotlin clients)
//! trusts every `!`. The schema is introspected and, for every caller of the matrix, every root
//! field is asked for every field reachable from it (objects nested up to a depth, no type twice
//! on one path, every interface's and union's possible types, lookups with ids of every type that
//! exists). The test fails on any `null` where the schema promises a value, wherever it appears.
//! A field added later is walked too.

use std::collections::{BTreeMap, BTreeSet};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use iin_tests::TestApp;
use serde_json::{Value, json};

use crate::filters_narrow::{Schema, arrange, ask, callers, collect_ids, named, required};

/// How deep objects nest in a walk: deep enough to reach every type from the root lists (an
/// evaluation's SME's cluster projects' tie-ups), shallow enough to stay within the server's
/// limits with every field selected.
const DEPTH: usize = 4;

/// One walk: a root field's query, and the arguments it was given (for the failure message).
struct Walk {
    query: String,
    what: String,
}

/// The selection of every field of `ty` reachable within `depth`, never entering a type already
/// on `path`.
fn selection(schema: &Schema, ty: &str, depth: usize, path: &mut Vec<String>) -> String {
    let t = schema.ty(ty);
    match t["kind"].as_str().unwrap() {
        "SCALAR" | "ENUM" => String::new(),
        "INTERFACE" | "UNION" => {
            let mut out = String::from("{ __typename");
            for possible in t["possibleTypes"].as_array().unwrap() {
                let name = possible["name"].as_str().unwrap();
                if path.iter().any(|p| p == name) {
                    continue;
                }
                let inner = object_fields(schema, name, depth, path);
                out.push_str(&format!(" ... on {name} {{ {inner} }}"));
            }
            out.push_str(" }");
            out
        }
        _ => format!("{{ {} }}", object_fields(schema, ty, depth, path)),
    }
}

fn object_fields(schema: &Schema, ty: &str, depth: usize, path: &mut Vec<String>) -> String {
    path.push(ty.to_owned());
    let mut out = vec!["__typename".to_owned()];
    for field in schema.fields(ty) {
        let name = field["name"].as_str().unwrap();
        let target = named(&field["type"]);
        let leaf = matches!(
            schema.ty(target)["kind"].as_str().unwrap(),
            "SCALAR" | "ENUM"
        );
        if !leaf && (depth == 0 || path.iter().any(|p| p == target)) {
            continue;
        }
        let Some(arguments) = nested_arguments(schema, field) else {
            continue;
        };
        let inner = selection(schema, target, depth.saturating_sub(1), path);
        out.push(format!("{name}{arguments} {inner}"));
    }
    path.pop();
    out.join(" ")
}

/// Arguments for a nested field: a small page of every list, and a plain value for what is
/// required. `None` when a required argument is of a kind this walk cannot make.
fn nested_arguments(schema: &Schema, field: &Value) -> Option<String> {
    let mut given = Vec::new();
    for arg in field["args"].as_array().unwrap() {
        let name = arg["name"].as_str().unwrap();
        if name == "first" {
            given.push("first: 3".to_owned());
            continue;
        }
        if !required(&arg["type"]) {
            continue;
        }
        let value = match named(&arg["type"]) {
            "Int" => "1".to_owned(),
            "Boolean" => "true".to_owned(),
            "String" => "\"aist\"".to_owned(),
            other if schema.ty(other)["kind"] == "ENUM" => {
                schema.ty(other)["enumValues"][0]["name"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            }
            _ => return None,
        };
        given.push(format!("{name}: {value}"));
    }
    Some(if given.is_empty() {
        String::new()
    } else {
        format!("({})", given.join(", "))
    })
}

/// The type an id names: ids are opaque to clients, but this test made them.
fn type_of_id(id: &str) -> Option<String> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(id).ok()?).ok()?;
    Some(text.split_once(':')?.0.to_owned())
}

/// Every root field's walks: lists and plain fields once, lookups once per id of a type they may
/// return (every type for `node`), so that each lookup's answer is walked as well. Without `ids`,
/// the lookups are left out.
fn walks(schema: &Schema, ids: Option<&BTreeMap<String, String>>) -> Vec<Walk> {
    let mut walks = Vec::new();
    for field in schema.fields(&schema.query) {
        let name = field["name"].as_str().unwrap();
        let target = named(&field["type"]);
        let mut path = Vec::new();
        let inner = selection(schema, target, DEPTH, &mut path);
        let args = field["args"].as_array().unwrap();
        let takes_id = args.iter().any(|a| a["name"] == "id");
        // Candidates for a need: walked with a need that exists.
        if name == "matchCandidates" {
            let Some(ids) = ids else { continue };
            let need = ids
                .get("BusinessNeed")
                .expect("no need exists to walk matchCandidates with");
            walks.push(Walk {
                query: format!("{{ {name}(needId: \"{need}\", first: 3) {inner} }}"),
                what: name.to_owned(),
            });
            continue;
        }
        if takes_id {
            let Some(ids) = ids else { continue };
            let possible: BTreeSet<String> = match schema.ty(target)["possibleTypes"].as_array() {
                Some(types) => types
                    .iter()
                    .map(|t| t["name"].as_str().unwrap().to_owned())
                    .collect(),
                None => BTreeSet::from([target.to_owned()]),
            };
            let mut any = false;
            for (ty, id) in ids.iter().filter(|(ty, _)| possible.contains(*ty)) {
                any = true;
                walks.push(Walk {
                    query: format!("{{ {name}(id: \"{id}\") {inner} }}"),
                    what: format!("{name}(id: {ty})"),
                });
            }
            assert!(
                any,
                "no id of a type `{name}` returns exists to walk it with"
            );
            continue;
        }
        let mut given = Vec::new();
        for arg in args {
            let arg_name = arg["name"].as_str().unwrap();
            if arg_name == "first" {
                given.push("first: 3".to_owned());
            } else if required(&arg["type"]) {
                let value = match (name, arg_name) {
                    // A certificate number that does not exist: the answer is still walked.
                    ("verifyCertificate", "number") => "\"IIN-0000-000000\"".to_owned(),
                    // This fiscal year, in which the arranged inquiries were sent.
                    ("patentStatistics", "fiscalYear") => iin_api::domain::dates::fiscal_year_of(
                        iin_api::domain::dates::today_in_japan(),
                    )
                    .to_string(),
                    // This fiscal year (April–March), in which the arranged referrals were sent.
                    ("referralStatistics", "fiscalYear") => iin_api::domain::dates::fiscal_year_of(
                        iin_api::domain::dates::today_in_japan(),
                    )
                    .to_string(),
                    ("referralStatistics", "groupBy") => "BANK".to_owned(),
                    // This fiscal year, in which the arranged needs were posted.
                    ("matchingStatistics", "fiscalYear") => iin_api::domain::dates::fiscal_year_of(
                        iin_api::domain::dates::today_in_japan(),
                    )
                    .to_string(),
                    _ => panic!("`{name}({arg_name}:)` needs a value this walk cannot make"),
                };
                given.push(format!("{arg_name}: {value}"));
            }
        }
        let arguments = if given.is_empty() {
            String::new()
        } else {
            format!("({})", given.join(", "))
        };
        walks.push(Walk {
            query: format!("{{ {name}{arguments} {inner} }}"),
            what: name.to_owned(),
        });
    }
    walks
}

/// Every place in `value` (of schema type `ty`) where the schema promises a value and the reply
/// has `null`, as `Type.field` paths.
fn violations(schema: &Schema, value: &Value, ty: &Value, at: &str, found: &mut Vec<String>) {
    match ty["kind"].as_str().unwrap() {
        "NON_NULL" => {
            if value.is_null() {
                found.push(at.to_owned());
            } else {
                violations(schema, value, &ty["ofType"], at, found);
            }
        }
        "LIST" => {
            for (i, item) in value.as_array().into_iter().flatten().enumerate() {
                violations(schema, item, &ty["ofType"], &format!("{at}[{i}]"), found);
            }
        }
        _ => {
            let Value::Object(object) = value else {
                return;
            };
            let concrete = object["__typename"].as_str().unwrap();
            for (key, inner) in object {
                if key == "__typename" {
                    continue;
                }
                let field = schema
                    .fields(concrete)
                    .into_iter()
                    .find(|f| f["name"] == key.as_str())
                    .unwrap_or_else(|| panic!("{concrete}.{key} is not in the schema"));
                violations(
                    schema,
                    inner,
                    &field["type"],
                    &format!("{at}.{key} ({concrete}.{key})"),
                    found,
                );
            }
        }
    }
}

#[tokio::test]
async fn every_non_null_field_holds_for_every_caller() {
    let app = TestApp::spawn_with(|s| {
        // Every field at once is a large document, by design.
        s.http.limits.max_tokens = 100_000;
        s.http.max_body_bytes = 4 << 20;
        s.http.limits.max_depth = 64;
        s.http.limits.max_complexity = 10_000_000;
    })
    .await;
    arrange(&app).await;
    let schema = Schema::of(&app).await;
    let callers = callers(&app);
    let admin = callers
        .iter()
        .find(|c| c.name.starts_with("network_admin"))
        .unwrap();

    // One id of every type that exists, as a network admin finds them walking the lists.
    let mut seen = BTreeSet::new();
    for walk in walks(&schema, None) {
        let body = ask(&app, admin, &walk.query, json!({})).await;
        collect_ids(&body["data"], &mut seen);
    }
    let mut ids = BTreeMap::new();
    for id in seen {
        if let Some(ty) = type_of_id(&id) {
            ids.entry(ty).or_insert(id);
        }
    }
    let walks = walks(&schema, Some(&ids));

    let query_type = json!({ "kind": "OBJECT", "name": schema.query });
    let mut failures = Vec::new();
    for caller in &callers {
        for walk in &walks {
            let body = ask(&app, caller, &walk.query, json!({})).await;
            let errors: Vec<&Value> = body["errors"].as_array().into_iter().flatten().collect();
            for error in &errors {
                let code = error["extensions"]["code"].as_str().unwrap_or("UNCODED");
                assert!(
                    matches!(code, "FORBIDDEN" | "UNAUTHENTICATED" | "BAD_USER_INPUT"),
                    "{} walking {}: {error:#}",
                    caller.name,
                    walk.what
                );
            }
            if body["data"].is_null() {
                continue;
            }
            let mut found = Vec::new();
            let mut data = body["data"].clone();
            data["__typename"] = json!(schema.query);
            violations(&schema, &data, &query_type, "data", &mut found);
            for place in found {
                failures.push(format!(
                    "{} walking {}: null at {place}",
                    caller.name, walk.what
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "non-null fields answered null:\n{}",
        failures.join("\n")
    );
}
