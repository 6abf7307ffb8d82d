//! Control characters in string inputs are refused before anything runs: PostgreSQL's `text`
//! cannot hold NUL (the driver would fail the statement), SQLite would store or match it, and no
//! field of this API means one. Every string argument is checked, at any depth of an input object
//! or list, whether written in the document or sent as a variable: C0 controls (U+0000–U+001F)
//! are refused, except tab, line feed and carriage return in long free texts
//! ([`LONG_TEXTS`]). The error is `BAD_USER_INPUT` naming the argument's path
//! (`input.findings`, `filter.search`, `input.nonFinancial.0.comment`).

use async_graphql::{
    Name, Positioned, Value as ConstValue,
    parser::types::{ExecutableDocument, Field, Selection, SelectionSet},
};

use crate::error::ApiError;

/// Input fields and arguments that hold free text of several lines.
pub const LONG_TEXTS: &[&str] = &[
    "findings",
    "comment",
    "reason",
    "profileJa",
    "profileEn",
    "descriptionJa",
    "descriptionEn",
];

/// Checks every string argument of the document, variables resolved.
pub fn check(
    doc: &ExecutableDocument,
    variables: &async_graphql::Variables,
) -> Result<(), ApiError> {
    for (_, operation) in doc.operations.iter() {
        let defaults = operation.node.variable_definitions.iter().filter_map(|d| {
            Some((
                d.node.name.node.clone(),
                d.node.default_value.as_ref()?.node.clone(),
            ))
        });
        let mut known = variables.clone();
        for (name, value) in defaults {
            known.entry(name).or_insert(value);
        }
        in_set(&operation.node.selection_set.node, &known)?;
        for fragment in doc.fragments.values() {
            in_set(&fragment.node.selection_set.node, &known)?;
        }
    }
    Ok(())
}

fn in_set(set: &SelectionSet, variables: &async_graphql::Variables) -> Result<(), ApiError> {
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => in_field(field, variables)?,
            Selection::InlineFragment(fragment) => {
                in_set(&fragment.node.selection_set.node, variables)?;
            }
            Selection::FragmentSpread(_) => {}
        }
    }
    Ok(())
}

fn in_field(
    field: &Positioned<Field>,
    variables: &async_graphql::Variables,
) -> Result<(), ApiError> {
    for (name, value) in &field.node.arguments {
        let value = value
            .node
            .clone()
            .into_const_with(|variable: Name| {
                Ok::<_, ()>(variables.get(&variable).cloned().unwrap_or_default())
            })
            .unwrap_or_default();
        in_value(&value, name.node.as_str(), name.node.as_str())?;
    }
    in_set(&field.node.selection_set.node, variables)
}

/// `name` is the innermost argument or input field name; `path` the whole path to the value.
fn in_value(value: &ConstValue, name: &str, path: &str) -> Result<(), ApiError> {
    match value {
        ConstValue::String(text) => in_text(text, name, path),
        ConstValue::List(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| in_value(item, name, &format!("{path}.{i}"))),
        ConstValue::Object(fields) => fields
            .iter()
            .try_for_each(|(key, item)| in_value(item, key.as_str(), &format!("{path}.{key}"))),
        _ => Ok(()),
    }
}

fn in_text(text: &str, name: &str, path: &str) -> Result<(), ApiError> {
    let long = LONG_TEXTS.contains(&name);
    let Some(bad) = text
        .chars()
        .find(|c| u32::from(*c) < 0x20 && !(long && matches!(c, '\t' | '\n' | '\r')))
    else {
        return Ok(());
    };
    let allowed = if long {
        "only tab, line feed and carriage return are allowed"
    } else {
        "none are allowed in this field"
    };
    Err(ApiError::bad_input(
        path,
        format!(
            "`{path}` contains the control character U+{:04X}: {allowed}",
            u32::from(bad)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_query(query: &str, variables: serde_json::Value) -> Result<(), String> {
        let doc = async_graphql::parser::parse_query(query).unwrap();
        check(&doc, &async_graphql::Variables::from_json(variables)).map_err(|e| match e {
            ApiError::BadUserInput { field, .. } => field,
            other => other.to_string(),
        })
    }

    #[test]
    fn controls_are_found_in_literals_variables_lists_and_defaults() {
        let null = serde_json::json!({});
        assert_eq!(
            check_query(
                r#"{ smes(filter: { search: "a\u0000" }) { totalCount } }"#,
                null.clone()
            ),
            Err("filter.search".into())
        );
        assert_eq!(
            check_query(
                "mutation($i: UpdateEvaluationInput!) { updateEvaluation(id: \"x\", input: $i) { id } }",
                serde_json::json!({ "i": { "nonFinancial": [{ "comment": "ok\n" }, { "comment": "\u{1b}" }] } })
            ),
            Err("input.nonFinancial.1.comment".into())
        );
        assert_eq!(
            check_query(
                "query($s: String = \"\\u0007\") { organization(code: $s) { id } }",
                null.clone()
            ),
            Err("code".into())
        );
        // Long texts may break lines and hold tabs; other fields may not.
        assert_eq!(
            check_query(
                "mutation { x(input: { findings: \"a\\tb\\r\\nc\" }) { id } }",
                null.clone()
            ),
            Ok(())
        );
        assert_eq!(
            check_query(
                "mutation { x(input: { nameEn: \"a\\nb\" }) { id } }",
                null.clone()
            ),
            Err("input.nameEn".into())
        );
        assert_eq!(check_query("{ a { b(x: \"日本語 text\") } }", null), Ok(()));
    }
}
