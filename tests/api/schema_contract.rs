//! The schema's conventions, checked on the schema itself so that a mutation added later follows
//! them or the test names it:
//!
//! - every create, issue or record mutation takes a required `idempotencyKey`;
//! - every workflow step (a mutation that moves an evaluation or an award on) takes the `version`
//!   it expects;
//! - an `input` argument's type is named after its mutation (`updateOrganization` takes an
//!   `UpdateOrganizationInput`);
//! - every argument or input field that names another object (`id`, `…Id`, `…Ids`) is an `ID`;
//! - every object type with an `id` has a global one and implements `Node`.

use iin_tests::TestApp;
use serde_json::Value;

use crate::filters_narrow::{Schema, named, required};

/// Mutations that create a row: retried, they must not create two.
fn creates(name: &str) -> bool {
    [
        "create",
        "issue",
        "record",
        "send",
        "refer",
        "submitProposal",
        "book",
    ]
    .iter()
    .any(|verb| name.starts_with(verb))
        && !name.ends_with("Consent")
}

/// Mutations that move an evaluation or an award through its workflow.
fn steps(name: &str) -> bool {
    let moves = [
        "submit",
        "start",
        "return",
        "rate",
        "publish",
        "withdraw",
        "renew",
        "suspend",
        "reinstate",
        "revoke",
        "pause",
        "resume",
    ];
    (name.ends_with("Evaluation") || name.ends_with("Award") || name.ends_with("Review"))
        && moves.iter().any(|verb| name.starts_with(verb))
}

fn ids_in(what: &str, fields: &[Value], failures: &mut Vec<String>) {
    for field in fields {
        let name = field["name"].as_str().unwrap();
        let names_an_object = name == "id" || name.ends_with("Id") || name.ends_with("Ids");
        if names_an_object && named(&field["type"]) != "ID" {
            failures.push(format!("{what}.{name} names an object but is not an ID"));
        }
    }
}

#[tokio::test]
async fn mutations_inputs_and_ids_follow_the_conventions() {
    let app = TestApp::spawn().await;
    let schema = Schema::of(&app).await;
    let data = app
        .data("{ __schema { mutationType { name } } }", Value::Null)
        .await;
    let mutation = data["__schema"]["mutationType"]["name"].as_str().unwrap();
    let mut failures = Vec::new();

    for field in schema.fields(mutation) {
        let name = field["name"].as_str().unwrap();
        let args = field["args"].as_array().unwrap();
        let arg = |wanted: &str| args.iter().find(|a| a["name"] == wanted);
        if creates(name) {
            match arg("idempotencyKey") {
                Some(key) if required(&key["type"]) && named(&key["type"]) == "String" => {}
                _ => failures.push(format!("{name} takes no required idempotencyKey: String!")),
            }
        }
        if steps(name) {
            match arg("version") {
                Some(version) if named(&version["type"]) == "Int" => {}
                _ => failures.push(format!("{name} takes no version: Int")),
            }
        }
        if let Some(input) = arg("input") {
            let expected = format!("{}{}Input", name[..1].to_uppercase(), &name[1..]);
            let actual = named(&input["type"]);
            if actual != expected {
                failures.push(format!("{name}(input:) is a {actual}, not a {expected}"));
            }
        }
        ids_in(&format!("Mutation.{name}"), args, &mut failures);
    }

    let mut types: Vec<&String> = schema.types.keys().collect();
    types.sort();
    for ty in types {
        if ty.starts_with("__") {
            continue;
        }
        let t = schema.ty(ty);
        match t["kind"].as_str().unwrap() {
            "INPUT_OBJECT" => {
                let fields: Vec<Value> = t["inputFields"].as_array().cloned().unwrap_or_default();
                ids_in(ty, &fields, &mut failures);
            }
            "OBJECT" => {
                let fields: Vec<Value> = schema.fields(ty).into_iter().cloned().collect();
                ids_in(ty, &fields, &mut failures);
                for field in schema.fields(ty) {
                    let args: Vec<Value> = field["args"].as_array().cloned().unwrap_or_default();
                    ids_in(
                        &format!("{ty}.{}", field["name"].as_str().unwrap()),
                        &args,
                        &mut failures,
                    );
                }
                let has_id = schema.fields(ty).iter().any(|f| f["name"] == "id");
                let interfaces = app_interfaces(&schema, ty);
                if has_id && !interfaces.iter().any(|i| i == "Node") {
                    failures.push(format!("{ty} has an id but does not implement Node"));
                }
            }
            _ => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The interfaces `ty` implements, read from the interfaces' possible types.
fn app_interfaces(schema: &Schema, ty: &str) -> Vec<String> {
    schema
        .types
        .iter()
        .filter(|(_, t)| t["kind"] == "INTERFACE")
        .filter(|(_, t)| {
            t["possibleTypes"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| p["name"] == ty)
        })
        .map(|(name, _)| name.clone())
        .collect()
}
