//! Every type, field, argument, input field and enum value that we define has a description, read
//! by introspection as a client's code generator reads it. Only GraphQL's own introspection types
//! and the specification's built-in scalars are exempt; a scalar that still carries the library's
//! boilerplate counts as undocumented.

use iin_tests::TestApp;
use serde_json::Value;

/// GraphQL's own scalars, described by the specification rather than by us.
const BUILT_IN_SCALARS: &[&str] = &["String", "Int", "Float", "Boolean", "ID"];

/// Text the library writes for its own types: not a description a client can use.
const BOILERPLATE: &[&str] = &["Implement the "];

const INTROSPECTION: &str = "{ __schema { types {
    name kind description
    fields(includeDeprecated: true) { name description args { name description } }
    inputFields { name description }
    enumValues(includeDeprecated: true) { name description }
} } }";

fn undocumented(description: &Value) -> bool {
    match description.as_str().map(str::trim) {
        None | Some("") => true,
        Some(text) => BOILERPLATE.iter().any(|b| text.starts_with(b)),
    }
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

fn list(value: &Value) -> &[Value] {
    value.as_array().map_or(&[], Vec::as_slice)
}

#[tokio::test]
async fn every_type_field_argument_and_enum_value_is_described() {
    let app = TestApp::spawn().await;
    let data = app.data(INTROSPECTION, Value::Null).await;
    let types = list(&data["__schema"]["types"]);
    assert!(
        types.len() > 50,
        "introspection answered too few types: {data:#}"
    );

    let mut missing = Vec::new();
    for ty in types {
        let name = text(&ty["name"]);
        if name.starts_with("__") || BUILT_IN_SCALARS.contains(&name) {
            continue;
        }
        if undocumented(&ty["description"]) {
            let kind = text(&ty["kind"]);
            missing.push(format!("{kind} {name}"));
        }
        for field in list(&ty["fields"]) {
            let field_name = text(&field["name"]);
            if undocumented(&field["description"]) {
                missing.push(format!("field {name}.{field_name}"));
            }
            for arg in list(&field["args"]) {
                if undocumented(&arg["description"]) {
                    missing.push(format!(
                        "argument {name}.{field_name}({})",
                        text(&arg["name"])
                    ));
                }
            }
        }
        for field in list(&ty["inputFields"]) {
            if undocumented(&field["description"]) {
                missing.push(format!("input field {name}.{}", text(&field["name"])));
            }
        }
        for value in list(&ty["enumValues"]) {
            if undocumented(&value["description"]) {
                missing.push(format!("enum value {name}.{}", text(&value["name"])));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "{} schema elements have no description (write a `///` comment, or `desc =` for an \
         argument):\n  {}",
        missing.len(),
        missing.join("\n  ")
    );
}
