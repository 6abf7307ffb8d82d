//! The authorization matrix: every operation that is not public, for every role at the target's
//! own institution and at another one, and for anonymous callers, asserting exactly the allowed
//! set. The schema is walked first, so a new field or mutation that is neither listed as public
//! nor covered here fails this suite by itself.

use std::collections::{BTreeMap, BTreeSet};

use entity::audit_entry;
use iin_api::auth::Role;
use iin_tests::{TestApp, only_error};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

/// Fields anyone may read, type by type.
const PUBLIC: &[(&str, &str)] = &[
    (
        "Query",
        "organizations organization clusterProjects clusterProject tieUps prefectures network node me",
    ),
    (
        "Organization",
        "id code nameJa nameEn name abbreviation kind membership prefecture bureau websiteUrl descriptionJa descriptionEn clusterParticipations",
    ),
    (
        "ClusterProject",
        "id code nameJa nameEn name program bureau fields termStartFiscalYear termEndFiscalYear descriptionEn participants tieUps",
    ),
    ("ClusterParticipation", "role organization project"),
    (
        "TieUp",
        "id region country fields fieldLabel japanesePartner foreignPartner project",
    ),
    ("Prefecture", "code isoCode nameJa nameEn region bureau"),
    ("Country", "code nameEn nameJa"),
    ("Network", "nameJa nameEn founded predecessor activities"),
    (
        "PageInfo",
        "hasPreviousPage hasNextPage startCursor endCursor",
    ),
    ("OrganizationConnection", "pageInfo edges nodes totalCount"),
    ("OrganizationEdge", "node cursor"),
    (
        "ClusterProjectConnection",
        "pageInfo edges nodes totalCount",
    ),
    ("ClusterProjectEdge", "node cursor"),
    ("TieUpConnection", "pageInfo edges nodes totalCount"),
    ("TieUpEdge", "node cursor"),
    // `me` answers only about the caller, and null to anonymous callers.
    ("Viewer", "subject institution roles"),
];

/// Types reached only through a guarded field: covered by that field's row of the matrix.
const BEHIND: &[(&str, &str)] = &[
    ("OrganizationContact", "Organization.contact"),
    ("AuditEntry", "Query.auditLog"),
    ("AuditEntryConnection", "Query.auditLog"),
    ("AuditEntryEdge", "Query.auditLog"),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    /// The caller's own institution.
    Own,
    /// Another institution.
    Other,
}

struct Operation {
    field: &'static str,
    query: &'static str,
    mutation: bool,
    /// Who may: a role, at the target's own institution or another.
    allowed: fn(Role, Target) -> bool,
}

const OPERATIONS: &[Operation] = &[
    Operation {
        field: "Organization.contact",
        query: "query($id: ID!) { node(id: $id) { ... on Organization { contact { email } } } }",
        mutation: false,
        allowed: |_, _| true,
    },
    Operation {
        field: "Query.auditLog",
        query: "{ auditLog(first: 1) { totalCount } }",
        mutation: false,
        allowed: |role, _| role == Role::NetworkAdmin,
    },
    Operation {
        field: "Mutation.updateOrganization",
        query: r#"mutation($id: ID!) { updateOrganization(id: $id, input: { descriptionEn: "Edited" }) { id } }"#,
        mutation: true,
        allowed: |role, target| {
            role == Role::NetworkAdmin || (role == Role::OrgAdmin && target == Target::Own)
        },
    },
    Operation {
        field: "Mutation.createOrganization",
        query: r#"mutation($code: String!) { createOrganization(input: {
            code: $code, nameJa: "試験機関", nameEn: "Test body", kind: TLO, membership: MEMBER, prefectureCode: 26 }) { id } }"#,
        mutation: true,
        allowed: |role, _| role == Role::NetworkAdmin,
    },
    Operation {
        field: "Mutation.setOrganizationMembership",
        query: "mutation($id: ID!) { setOrganizationMembership(id: $id, membership: MEMBER) { id } }",
        mutation: true,
        allowed: |role, _| role == Role::NetworkAdmin,
    },
];

async fn schema_fields(app: &TestApp) -> BTreeMap<String, Vec<String>> {
    let data = app
        .data(
            "{ __schema { types { name kind fields { name } } } }",
            json!({}),
        )
        .await;
    data["__schema"]["types"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] == "OBJECT" && !t["name"].as_str().unwrap().starts_with("__"))
        .map(|t| {
            let fields = t["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["name"].as_str().unwrap().to_owned());
            (t["name"].as_str().unwrap().to_owned(), fields.collect())
        })
        .collect()
}

#[tokio::test]
async fn every_field_of_the_schema_is_public_or_in_the_matrix() {
    let app = TestApp::spawn().await;
    let public: BTreeSet<String> = PUBLIC
        .iter()
        .flat_map(|(ty, fields)| fields.split_whitespace().map(move |f| format!("{ty}.{f}")))
        .collect();
    let guarded: BTreeSet<String> = OPERATIONS.iter().map(|op| op.field.to_owned()).collect();
    let behind: BTreeMap<&str, &str> = BEHIND.iter().copied().collect();
    for guard in behind.values() {
        assert!(
            guarded.contains(*guard),
            "{guard} hides types but has no row in the matrix"
        );
    }

    let mut seen = BTreeSet::new();
    let mut unclassified = Vec::new();
    for (ty, fields) in schema_fields(&app).await {
        for field in fields {
            let name = format!("{ty}.{field}");
            if !(public.contains(&name)
                || guarded.contains(&name)
                || behind.contains_key(ty.as_str()))
            {
                unclassified.push(name.clone());
            }
            seen.insert(name);
        }
    }
    assert!(
        unclassified.is_empty(),
        "fields neither public nor in the authorization matrix: {unclassified:?}"
    );
    let stale: Vec<_> = public
        .union(&guarded)
        .filter(|name| !seen.contains(*name))
        .collect();
    assert!(
        stale.is_empty(),
        "listed fields the schema no longer has: {stale:?}"
    );
}

struct Outcome {
    status: u16,
    code: Option<String>,
}

async fn attempt(app: &TestApp, token: Option<&str>, op: &Operation, variables: Value) -> Outcome {
    let reply = match token {
        Some(token) => app.graphql_as(token, op.query, variables).await,
        None => {
            app.post(
                &[
                    ("content-type", "application/json"),
                    ("accept", "application/graphql-response+json"),
                ],
                json!({ "query": op.query, "variables": variables }).to_string(),
            )
            .await
        }
    };
    let body = reply.json();
    let code = body.get("errors").map(|_| {
        only_error(&body)["extensions"]["code"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    });
    Outcome {
        status: reply.status.as_u16(),
        code,
    }
}

async fn audit_entries(app: &TestApp) -> u64 {
    audit_entry::Entity::find().count(&app.db).await.unwrap()
}

async fn organization_id(app: &TestApp, code: &str) -> Value {
    app.data(
        "query($c: String!) { organization(code: $c) { id } }",
        json!({ "c": code }),
    )
    .await["organization"]["id"]
        .clone()
}

#[tokio::test]
async fn each_role_at_its_own_and_another_institution_gets_exactly_its_rights() {
    let app = TestApp::spawn().await;
    let mut serial = 0;
    let mut failures = Vec::new();
    for op in OPERATIONS {
        // Anonymous callers are asked to sign in.
        let target = organization_id(&app, "aist").await;
        serial += 1;
        let before = audit_entries(&app).await;
        let outcome = attempt(
            &app,
            None,
            op,
            json!({ "id": target, "code": format!("anon-{serial}") }),
        )
        .await;
        if outcome.status != 401 || outcome.code.as_deref() != Some("UNAUTHENTICATED") {
            failures.push(format!(
                "{} anonymous: {} {:?}",
                op.field, outcome.status, outcome.code
            ));
        }
        if op.mutation && audit_entries(&app).await != before + 1 {
            failures.push(format!("{} anonymous: not audited", op.field));
        }

        for role in Role::ALL {
            // Network admins are held at the network itself; everyone else here acts for AIST.
            let home = if role == Role::NetworkAdmin {
                "iin-japan"
            } else {
                "aist"
            };
            let token = app.token(&format!("{role}@{home}"), home, &[role]);
            for (target, code) in [(Target::Own, home), (Target::Other, "jetro")] {
                serial += 1;
                let variables = json!({ "id": organization_id(&app, code).await, "code": format!("made-{serial}") });
                let before = audit_entries(&app).await;
                let outcome = attempt(&app, Some(&token), op, variables).await;
                let allowed = (op.allowed)(role, target);
                let as_expected = if allowed {
                    outcome.status == 200 && outcome.code.is_none()
                } else {
                    outcome.status == 200 && outcome.code.as_deref() == Some("FORBIDDEN")
                };
                let which = if target == Target::Own {
                    "own"
                } else {
                    "other"
                };
                if !as_expected {
                    failures.push(format!(
                        "{} as {role} at {which}: expected {}, got {} {:?}",
                        op.field,
                        if allowed { "allowed" } else { "FORBIDDEN" },
                        outcome.status,
                        outcome.code
                    ));
                }
                if op.mutation && audit_entries(&app).await != before + 1 {
                    failures.push(format!("{} as {role} at {which}: not audited", op.field));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "authorization matrix:\n{}",
        failures.join("\n")
    );
}
