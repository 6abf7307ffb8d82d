//! Naming the variable at fault. When a request's variables do not fit the types it declares
//! (`$n: Int!` given `"x"`, or not given at all), async-graphql places the error at the field or
//! the argument that uses the variable and says what it expected, but not which variable it was;
//! a client that builds its variables from a form needs that name. Only refused requests pay for
//! this: their document is parsed again here.

use crate::error::ErrorCode;
use async_graphql::{
    Name, Pos, ServerError,
    parser::{
        parse_query,
        types::{BaseType, ExecutableDocument, OperationDefinition, Selection, SelectionSet, Type},
    },
};

/// Adds `extensions.variable` (and the variable to the message) to each error that a single
/// declared variable explains; coded `BAD_USER_INPUT`, as the caller's input is at fault, with the
/// argument's path as `field` where async-graphql names it.
pub(super) fn name_variables(errors: &mut [ServerError], query: &str) {
    if errors.is_empty() {
        return;
    }
    let Ok(document) = parse_query(query) else {
        return;
    };
    for error in errors {
        let Some(at) = error.locations.first().copied() else {
            continue;
        };
        let candidates = variables_used_at(&document, at);
        let Some((name, declared)) = at_fault(&document, &candidates, &error.message) else {
            continue;
        };
        // The argument path, read from async-graphql's wording before the message changes.
        let field = super::admission::refused_value(error).flatten();
        error.message = if error.message.starts_with("Variable ") {
            format!("Variable \"${name}\" of required type \"{declared}\" was not provided.")
        } else {
            format!(
                "Variable \"${name}\" got an invalid value: {}",
                error.message
            )
        };
        let extensions = error.extensions.get_or_insert_with(Default::default);
        extensions.set("code", ErrorCode::BadUserInput.as_str());
        extensions.set("variable", name.as_str());
        if let Some(field) = field {
            extensions.set("field", field);
        }
    }
}

/// The variables the field or the argument at `at` refers to, in order of first use.
fn variables_used_at(document: &ExecutableDocument, at: Pos) -> Vec<Name> {
    let mut found = Vec::new();
    let sets = document
        .operations
        .iter()
        .map(|(_, op)| &op.node.selection_set.node)
        .chain(
            document
                .fragments
                .values()
                .map(|f| &f.node.selection_set.node),
        );
    for set in sets {
        collect(set, at, &mut found);
    }
    found
}

fn collect(set: &SelectionSet, at: Pos, found: &mut Vec<Name>) {
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => {
                for (name, value) in &field.node.arguments {
                    if field.pos == at || name.pos == at {
                        // Resolving the value visits every variable it refers to, at any depth.
                        let _ = value.node.clone().into_const_with(|variable: Name| {
                            if !found.contains(&variable) {
                                found.push(variable);
                            }
                            Ok::<_, ()>(async_graphql::Value::Null)
                        });
                    }
                }
                collect(&field.node.selection_set.node, at, found);
            }
            Selection::InlineFragment(fragment) => {
                collect(&fragment.node.selection_set.node, at, found);
            }
            Selection::FragmentSpread(_) => {}
        }
    }
}

/// The one variable among `candidates` that `message` is about, with its declared type: the one
/// it names ("Variable n is not defined."), or the only one, or the only one of the type it
/// names (`Failed to parse "Int"`).
fn at_fault(
    document: &ExecutableDocument,
    candidates: &[Name],
    message: &str,
) -> Option<(Name, Type)> {
    let declared = |name: &Name| {
        document
            .operations
            .iter()
            .flat_map(|(_, op)| declarations(&op.node))
            .find(|(n, _)| *n == name)
            .map(|(_, ty)| ty.clone())
    };
    if let Some(rest) = message.strip_prefix("Variable ") {
        let named = rest.split_whitespace().next()?.trim_start_matches('$');
        let name = candidates.iter().find(|n| n.as_str() == named)?;
        return Some((name.clone(), declared(name)?));
    }
    let typed: Vec<(Name, Type)> = candidates
        .iter()
        .filter_map(|n| Some((n.clone(), declared(n)?)))
        .collect();
    if let [only] = typed.as_slice() {
        return Some(only.clone());
    }
    let mentioned = message.split('"').nth(1)?;
    let mut of_type = typed
        .into_iter()
        .filter(|(_, ty)| base_name(ty) == mentioned);
    match (of_type.next(), of_type.next()) {
        (Some(only), None) => Some(only),
        _ => None,
    }
}

fn declarations(op: &OperationDefinition) -> impl Iterator<Item = (&Name, &Type)> {
    op.variable_definitions
        .iter()
        .map(|d| (&d.node.name.node, &d.node.var_type.node))
}

fn base_name(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(name) => name.as_str(),
        BaseType::List(inner) => base_name(inner),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(query: &str, message: &str, line: usize, column: usize) -> (String, Option<String>) {
        let mut errors = [ServerError::new(message, Some(Pos { line, column }))];
        name_variables(&mut errors, query);
        let variable = errors[0]
            .extensions
            .as_ref()
            .and_then(|x| x.get("variable").cloned())
            .map(|v| v.to_string().trim_matches('"').to_owned());
        (errors[0].message.clone(), variable)
    }

    #[test]
    fn a_field_s_only_variable_is_named() {
        let query = "query($n: Int!) { organizations(first: $n) { totalCount } }";
        let (message, variable) = named(query, "Expected input type \"Int\", found \"x\".", 1, 19);
        assert_eq!(variable.as_deref(), Some("n"));
        assert!(
            message.starts_with("Variable \"$n\" got an invalid value: Expected"),
            "{message}"
        );
    }

    #[test]
    fn an_argument_names_the_variable_it_takes() {
        let query = "query($f: OrganizationFilter, $n: Int) { organizations(first: $n, filter: $f) { totalCount } }";
        let (_, variable) = named(query, "Invalid value for argument \"filter.bureau\"", 1, 67);
        assert_eq!(variable.as_deref(), Some("f"));
    }

    #[test]
    fn the_type_in_the_message_tells_two_variables_apart() {
        let query = "query($n: Int, $s: SmeFilter) { smes(first: $n, filter: $s) { totalCount } }";
        let (_, variable) = named(query, "Failed to parse \"Int\": out of range", 1, 33);
        assert_eq!(variable.as_deref(), Some("n"));
        let (_, variable) = named(query, "Failed to parse \"Boolean\"", 1, 33);
        assert_eq!(
            variable, None,
            "no variable of that type: nothing is guessed"
        );
    }

    #[test]
    fn a_missing_variable_says_it_was_not_provided() {
        let query = "query($n: Int!) { organizations(first: $n) { totalCount } }";
        let (message, variable) = named(query, "Variable n is not defined.", 1, 19);
        assert_eq!(variable.as_deref(), Some("n"));
        assert_eq!(
            message,
            "Variable \"$n\" of required type \"Int!\" was not provided."
        );
    }

    #[test]
    fn errors_elsewhere_are_left_alone() {
        let query = "query($n: Int!) { organizations(first: $n) { totalCount } }";
        let (message, variable) = named(query, "Unknown field \"x\"", 1, 50);
        assert_eq!((message.as_str(), variable), ("Unknown field \"x\"", None));
    }
}
