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
