//! Relay cursor pagination: walking pages forward and back covers every row once, in order.

use iin_tests::{TestApp, assert_bad_input};
use serde_json::{Value, json};

const PAGE: &str = r#"query($first: Int, $after: String, $last: Int, $before: String, $order: OrganizationOrder) {
  organizations(first: $first, after: $after, last: $last, before: $before, orderBy: $order) {
    totalCount
    edges { cursor node { code nameEn prefecture { code } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"#;

async fn page(app: &TestApp, variables: Value) -> Value {
    app.data(PAGE, variables).await["organizations"].clone()
}

fn node_codes(page: &Value) -> Vec<String> {
    page["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["code"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn forward_and_backward_walks_cover_every_row_once_in_order() {
    let app = TestApp::spawn().await;
    let order = json!({ "field": "NAME_EN", "direction": "ASC" });
    let everything = page(&app, json!({ "first": 100, "order": order })).await;
    let total = everything["totalCount"].as_u64().unwrap() as usize;
    let all = node_codes(&everything);
    assert_eq!(all.len(), total);
    let names: Vec<_> = everything["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["nameEn"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(
        names, sorted,
        "ordered by English name, byte-wise on every database"
    );

    assert_eq!(walk_forward(&app, &order, 7).await, all);
    assert_eq!(walk_backward(&app, &order, 5).await, all);
}

/// Every row, page by page from the start, checking each page's `pageInfo` on the way.
async fn walk_forward(app: &TestApp, order: &Value, size: i32) -> Vec<String> {
    let mut walked = Vec::new();
    let mut after = Value::Null;
    loop {
        let p = page(
            app,
            json!({ "first": size, "after": after, "order": order }),
        )
        .await;
        walked.extend(node_codes(&p));
        assert_eq!(p["pageInfo"]["hasPreviousPage"], !after.is_null());
        assert_eq!(p["pageInfo"]["startCursor"], p["edges"][0]["cursor"]);
        if p["pageInfo"]["hasNextPage"] == false {
            return walked;
        }
        after = p["pageInfo"]["endCursor"].clone();
    }
}

/// Every row, page by page from the end, in the listing's order.
async fn walk_backward(app: &TestApp, order: &Value, size: i32) -> Vec<String> {
    let mut backward = Vec::new();
    let mut before = Value::Null;
    loop {
        let p = page(
            app,
            json!({ "last": size, "before": before, "order": order }),
        )
        .await;
        let mut codes = node_codes(&p);
        codes.extend(backward);
        backward = codes;
        if p["pageInfo"]["hasPreviousPage"] == false {
            return backward;
        }
        before = p["pageInfo"]["startCursor"].clone();
    }
}

#[tokio::test]
async fn descending_order_and_ties_broken_by_id_are_stable() {
    let app = TestApp::spawn().await;
    let order = json!({ "field": "PREFECTURE_CODE", "direction": "DESC" });
    let all = node_codes(&page(&app, json!({ "first": 100, "order": order })).await);
    let first = page(&app, json!({ "first": 3, "order": order })).await;
    assert_eq!(
        node_codes(&first)[0],
        "meti-okinawa",
        "Okinawa (47) comes first"
    );
    let rest = page(
        &app,
        json!({ "first": 100, "after": first["pageInfo"]["endCursor"], "order": order }),
    )
    .await;
    let mut joined = node_codes(&first);
    joined.extend(node_codes(&rest));
    assert_eq!(
        joined, all,
        "many organisations share a prefecture; ids break the ties"
    );
}

#[tokio::test]
async fn a_page_of_zero_and_the_default_page() {
    let app = TestApp::spawn().await;
    let empty = page(&app, json!({ "first": 0 })).await;
    assert_eq!(empty["edges"], json!([]));
    assert_eq!(empty["pageInfo"]["endCursor"], Value::Null);
    let default = page(&app, json!({})).await;
    assert_eq!(default["edges"].as_array().unwrap().len(), 20);
    assert_eq!(default["pageInfo"]["hasNextPage"], true);
}

#[tokio::test]
async fn bad_page_arguments_name_the_argument() {
    let app = TestApp::spawn().await;
    assert_bad_input(&app.graphql(PAGE, json!({ "first": 101 })).await, "first");
    assert_bad_input(&app.graphql(PAGE, json!({ "first": -1 })).await, "first");
    assert_bad_input(&app.graphql(PAGE, json!({ "last": 1000 })).await, "last");
    assert_bad_input(
        &app.graphql(PAGE, json!({ "first": 1, "last": 1 })).await,
        "last",
    );
    assert_bad_input(
        &app.graphql(PAGE, json!({ "after": "bm90IGEgY3Vyc29y" }))
            .await,
        "after",
    );
    assert_bad_input(
        &app.graphql(PAGE, json!({ "before": "%%%" })).await,
        "before",
    );

    // A cursor of another order does not silently page through this one.
    let by_code = page(&app, json!({ "first": 2 })).await;
    let body = app
        .graphql(PAGE, json!({ "first": 2, "after": by_code["pageInfo"]["endCursor"], "order": { "field": "NAME_JA" } }))
        .await;
    assert_bad_input(&body, "after");
}

/// Bodies without a prefecture (ESCA abroad; JBIA and CRAMS, whose seats are not recorded) come
/// last in either direction, and walks through them cover every row once on both databases.
#[tokio::test]
async fn rows_without_a_value_come_last_and_are_walked_once() {
    let app = TestApp::spawn().await;
    for direction in ["ASC", "DESC"] {
        let order = json!({ "field": "PREFECTURE_CODE", "direction": direction });
        let everything = page(&app, json!({ "first": 100, "order": order })).await;
        let all = node_codes(&everything);
        let unplaced: Vec<_> = everything["edges"]
            .as_array()
            .unwrap()
            .iter()
            .skip_while(|e| !e["node"]["prefecture"].is_null())
            .map(|e| e["node"]["prefecture"].clone())
            .collect();
        assert_eq!(
            unplaced,
            vec![Value::Null; 3],
            "{direction}: the three without a prefecture, last"
        );
        for size in [2, 5] {
            let forward = walk_forward(&app, &order, size).await;
            assert_eq!(forward, all, "{direction}, forward by {size}");
            let backward = walk_backward(&app, &order, size).await;
            assert_eq!(backward, all, "{direction}, backward by {size}");
        }
    }
}

/// Totals count up to 1,000 rows, so that a page costs the same however many match: one more and
/// `totalCount` is a lower bound, which `totalCountIsExact` says.
#[tokio::test]
async fn totals_stop_counting_past_a_thousand_and_say_so() {
    use entity::{enums::NicheStatus, organization, sme};
    use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

    let app = TestApp::spawn().await;
    let aist = organization::Entity::find()
        .filter(organization::Column::Code.eq("aist"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let now = chrono::Utc::now();
    // 1,000 SMEs in Shizuoka (22) and one in Tokyo (13): 1,001 in all.
    let rows: Vec<sme::ActiveModel> = (0..1_001)
        .map(|i| sme::ActiveModel {
            name_ja: Set(format!("計数{i}")),
            name_en: Set(format!("Count {i:05}")),
            prefecture_code: Set(if i == 0 { 13 } else { 22 }),
            niche_status: Set(NicheStatus::None),
            cluster_projects: Set(",".into()),
            publication_consent: Set(false),
            created_by_institution_id: Set(aist),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .collect();
    for chunk in rows.chunks(500) {
        sme::Entity::insert_many(chunk.to_vec())
            .exec(&app.db)
            .await
            .unwrap();
    }
    let total = async |filter: Value| {
        let data = app
            .data(
                "query($f: SmeFilter) { smes(first: 1, filter: $f) { totalCount totalCountIsExact } }",
                json!({ "f": filter }),
            )
            .await;
        (
            data["smes"]["totalCount"].as_u64().unwrap(),
            data["smes"]["totalCountIsExact"].as_bool().unwrap(),
        )
    };
    assert_eq!(total(json!(null)).await, (1_000, false));
    assert_eq!(total(json!({ "prefectureCode": 22 })).await, (1_000, true));
    assert_eq!(total(json!({ "prefectureCode": 13 })).await, (1, true));
    assert_eq!(total(json!({ "prefectureCode": 1 })).await, (0, true));
}

/// A page's total comes in the page's own statement when it is asked for, and is the total of the
/// whole filter on every page: after a cursor, past the last row, and with `first: 0`.
#[tokio::test]
async fn a_total_is_counted_with_its_page_and_is_the_same_on_every_page() {
    let app = TestApp::spawn().await;
    const TOKYO: &str = r#"query($first: Int, $after: String, $last: Int, $before: String) {
      organizations(first: $first, after: $after, last: $last, before: $before,
                    filter: { prefectureCode: 13 }) {
        totalCount totalCountIsExact edges { cursor } } }"#;
    let ask = async |variables: Value| {
        let before = app.statements().await;
        let page = app.data(TOKYO, variables).await["organizations"].clone();
        (page, app.statements().await - before)
    };
    let (everything, statements) = ask(json!({ "first": 100 })).await;
    let total = everything["totalCount"].as_u64().unwrap();
    let edges = everything["edges"].as_array().unwrap();
    assert!(total > 3, "the seed has several institutions in Tokyo");
    assert_eq!(edges.len() as u64, total);
    assert_eq!(everything["totalCountIsExact"], json!(true));
    assert_eq!(statements, 1, "the page and its total in one statement");

    let without_total = async || {
        let before = app.statements().await;
        app.data(
            "{ organizations(first: 2, filter: { prefectureCode: 13 }) { edges { cursor } } }",
            json!({}),
        )
        .await;
        app.statements().await - before
    };
    assert_eq!(without_total().await, 1);

    let cursor = |i: usize| edges[i]["cursor"].clone();
    let last = edges.len() - 1;
    for variables in [
        json!({ "first": 2, "after": cursor(1) }),
        json!({ "last": 2, "before": cursor(last) }),
        // Past the last row: an empty page, whose total still counts every match.
        json!({ "first": 2, "after": cursor(last) }),
        json!({ "last": 2, "before": cursor(0) }),
        json!({ "first": 0 }),
    ] {
        let (page, _) = ask(variables.clone()).await;
        assert_eq!(page["totalCount"].as_u64(), Some(total), "{variables}");
        assert_eq!(page["totalCountIsExact"], json!(true), "{variables}");
    }

    // Asked through a fragment, the total still comes with the page.
    let before = app.statements().await;
    let data = app
        .data(
            "{ organizations(first: 1, filter: { prefectureCode: 13 }) { ...T edges { cursor } } }
             fragment T on OrganizationConnection { totalCount }",
            json!({}),
        )
        .await;
    assert_eq!(data["organizations"]["totalCount"].as_u64(), Some(total));
    assert_eq!(app.statements().await - before, 1);
}
