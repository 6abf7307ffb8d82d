//! The source document's directory, as a partner website reads it.

use std::collections::BTreeSet;

use iin_api::auth::Role;
use iin_tests::TestApp;
use serde_json::{Value, json};

fn codes(connection: &Value) -> Vec<String> {
    connection["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["code"].as_str().expect("code").to_owned())
        .collect()
}

async fn organization_codes(app: &TestApp, filter: Value) -> BTreeSet<String> {
    let data = app
        .data(
            "query($filter: OrganizationFilter) { organizations(first: 100, filter: $filter) { totalCount nodes { code } } }",
            json!({ "filter": filter }),
        )
        .await;
    let found = codes(&data["organizations"]);
    assert_eq!(
        data["organizations"]["totalCount"],
        found.len(),
        "totalCount matches the nodes"
    );
    found.into_iter().collect()
}

fn set(codes: &[&str]) -> BTreeSet<String> {
    codes.iter().map(|c| c.to_string()).collect()
}

#[tokio::test]
async fn national_organisations_are_seeded_bilingually() {
    let app = TestApp::spawn().await;
    let data = app
        .data(
            r#"{ aist: organization(code: "aist") { code nameJa nameEn abbreviation kind membership
                   prefecture { code isoCode nameEn region bureau } bureau }
                 meti: organization(code: "meti") { nameJa kind membership }
                 banks: organization(code: "rbaj") { nameEn kind membership membershipBasis }
                 jilc: organization(code: "jilc") { kind membership membershipBasis }
                 school: organization(code: "naka-nippon-aviation") { kind membership membershipBasis }
                 castec: organization(code: "c-astec") { kind membership membershipBasis }
                 study: organization(code: "meti-gnt-study-group") { kind descriptionEn }
                 esca: organization(code: "esca") { prefecture { code } bureau country { code } }
                 jbia: organization(code: "jbia") { prefecture { code } bureau country { code } }
                 network { nameJa nameEn founded predecessor } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data["aist"],
        json!({
            "code": "aist", "nameJa": "産業技術総合研究所",
            "nameEn": "National Institute of Advanced Industrial Science and Technology",
            "abbreviation": "AIST", "kind": "NATIONAL_AGENCY", "membership": "COOPERATING",
            "prefecture": { "code": 13, "isoCode": "JP-13", "nameEn": "Tokyo", "region": "KANTO", "bureau": "KANTO" },
            "bureau": "KANTO"
        })
    );
    assert_eq!(
        data["meti"],
        json!({ "nameJa": "経済産業省", "kind": "MINISTRY", "membership": "SUPPORTING" })
    );
    assert_eq!(
        data["banks"],
        json!({ "nameEn": "Regional Banks Association of Japan", "kind": "BUSINESS_ASSOCIATION",
                "membership": "COOPERATING", "membershipBasis": "SOURCE_DOCUMENT" })
    );
    assert_eq!(
        data["jilc"],
        json!({ "kind": "INCORPORATED_FOUNDATION", "membership": "COOPERATING", "membershipBasis": "SOURCE_DOCUMENT" })
    );
    assert_eq!(
        data["school"],
        json!({ "kind": "VOCATIONAL_SCHOOL", "membership": "NON_MEMBER", "membershipBasis": "NOT_STATED" })
    );
    assert_eq!(
        data["castec"],
        json!({ "kind": "INCORPORATED_FOUNDATION", "membership": "NON_MEMBER", "membershipBasis": "NOT_STATED" })
    );
    assert_eq!(data["study"]["kind"], "STUDY_GROUP");
    // No seat is made up: ESCA is in Germany, and JBIA's seat is not recorded.
    assert_eq!(
        data["esca"],
        json!({ "prefecture": null, "bureau": null, "country": { "code": "DE" } })
    );
    assert_eq!(
        data["jbia"],
        json!({ "prefecture": null, "bureau": null, "country": { "code": "JP" } })
    );
    assert!(
        data["study"]["descriptionEn"]
            .as_str()
            .unwrap()
            .contains("November 2010")
    );
    assert_eq!(
        data["network"]["nameEn"],
        "Innovation Initiative Network Japan"
    );
    assert_eq!(
        data["network"]["nameJa"],
        "全国イノベーション推進機関ネットワーク"
    );
    assert_eq!(data["network"]["predecessor"], "JANBO");
}

#[tokio::test]
async fn every_organisation_the_source_names_is_there() {
    let app = TestApp::spawn().await;
    let all = organization_codes(&app, json!({})).await;
    for code in [
        "meti",
        "mext",
        "smrj",
        "aist",
        "jetro",
        "jst",
        "jilc",
        "rbaj",
        "hokkaido-econ-fed",
        "ja-hokkaido",
        "pref-hokkaido",
        "fcnw",
        "aerospace-forum",
        "chukeiren",
        "c-astec",
        "mhi-nagoya-aerospace",
        "khi-aerospace",
        "nagoya-u",
        "naka-nippon-aviation",
        "pref-aichi",
        "pref-gifu",
        "city-nagoya",
        "meti-hokkaido",
        "meti-chubu",
        "meti-okinawa",
        "shimadzu",
        "horiba",
        "iin-japan",
    ] {
        assert!(all.contains(code), "{code} is missing");
    }
    assert_eq!(
        organization_codes(&app, json!({ "membership": "COOPERATING" })).await,
        set(&["aist", "jetro", "jilc", "jst", "rbaj", "smrj"])
    );
}

#[tokio::test]
async fn the_18_program_projects_have_bureau_field_term_and_a_leading_bureau() {
    let app = TestApp::spawn().await;
    let data = app
        .data(
            r#"{ clusterProjects(first: 100, filter: { program: INDUSTRIAL_CLUSTER_PROGRAM }) {
                   totalCount
                   nodes { code bureau fields termStartFiscalYear termEndFiscalYear
                           participants { role organization { code kind } } } } }"#,
            json!({}),
        )
        .await;
    let projects = data["clusterProjects"]["nodes"].as_array().unwrap();
    assert_eq!(data["clusterProjects"]["totalCount"], 18);
    assert_eq!(projects.len(), 18);
    for project in projects {
        assert_eq!(project["termStartFiscalYear"], 2001, "{project}");
        assert_eq!(project["termEndFiscalYear"], 2009, "{project}");
        assert!(
            !project["fields"].as_array().unwrap().is_empty(),
            "{project}"
        );
        let lead = &project["participants"][0];
        assert_eq!(lead["role"], "LEAD", "{project}");
        assert_eq!(lead["organization"]["kind"], "MINISTRY", "{project}");
        // The leading bureau is the project's own.
        let bureau = project["bureau"].as_str().unwrap().to_lowercase();
        assert_eq!(
            lead["organization"]["code"],
            format!("meti-{bureau}"),
            "{project}"
        );
    }
}

#[tokio::test]
async fn tie_ups_are_listed_by_region_and_country_with_their_projects() {
    let app = TestApp::spawn().await;
    let data = app
        .data(
            r#"{ all: tieUps { totalCount }
                 europe: tieUps(filter: { region: EUROPE }) { totalCount }
                 asia: tieUps(filter: { region: ASIA_OCEANIA }) { totalCount }
                 middleEast: tieUps(filter: { region: MIDDLE_EAST }) { nodes { country { code } partners { name kind } } }
                 china: tieUps(filter: { country: "CN" }, orderBy: { field: FOREIGN_PARTNER }) {
                   nodes { foreignPartner partnersIncomplete partners { name kind country { code } } status startYear agreementType } }
                 germany: tieUps(filter: { country: "DE" }, orderBy: { field: FOREIGN_PARTNER }) {
                   nodes { foreignPartner japanesePartner fieldLabel country { code nameEn nameJa } project { code } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["all"]["totalCount"], 28);
    assert_eq!(data["europe"]["totalCount"], 14);
    // The source lists Saudi Arabia under "Asia, Oceania"; it is in the Middle East.
    assert_eq!(data["asia"]["totalCount"], 13);
    assert_eq!(
        data["middleEast"]["nodes"],
        json!([{ "country": { "code": "SA" }, "partners": [{ "name": "Saudi Arabia", "kind": "COUNTRY" }] }])
    );
    let beijing = data["china"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["foreignPartner"] == "Beijing, Shenyang, Dalian, etc")
        .unwrap();
    assert_eq!(
        beijing,
        &json!({ "foreignPartner": "Beijing, Shenyang, Dalian, etc", "partnersIncomplete": true,
                 "partners": [{ "name": "Beijing", "kind": "CITY", "country": { "code": "CN" } },
                              { "name": "Shenyang", "kind": "CITY", "country": { "code": "CN" } },
                              { "name": "Dalian", "kind": "CITY", "country": { "code": "CN" } }],
                 "status": "UNKNOWN", "startYear": null, "agreementType": null })
    );
    assert_eq!(
        data["germany"]["nodes"],
        json!([
            { "foreignPartner": "Dusseldorf", "japanesePartner": "Kazusa Biotechnology project", "fieldLabel": "Biotechnology",
              "country": { "code": "DE", "nameEn": "Germany", "nameJa": "ドイツ" }, "project": { "code": "kanto-bio-ventures" } },
            { "foreignPartner": "Germany", "japanesePartner": "Chugoku Next Generation Industries project", "fieldLabel": "Automobile",
              "country": { "code": "DE", "nameEn": "Germany", "nameJa": "ドイツ" }, "project": { "code": "chugoku-next-generation" } },
            { "foreignPartner": "Jena", "japanesePartner": "Hamamatsu", "fieldLabel": "Optoelectronic equipment",
              "country": { "code": "DE", "nameEn": "Germany", "nameJa": "ドイツ" }, "project": { "code": "hamamatsu-optronics" } },
        ])
    );
}

#[tokio::test]
async fn relations_read_both_ways() {
    let app = TestApp::spawn().await;
    let data = app
        .data(
            r#"{ clusterProject(code: "kansai-bio") {
                   tieUps { foreignPartner project { code } } }
                 organization(code: "nagoya-u") {
                   clusterParticipations { role project { code participants { organization { code } } } } } }"#,
            json!({}),
        )
        .await;
    let partners: Vec<_> = data["clusterProject"]["tieUps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            assert_eq!(t["project"]["code"], "kansai-bio");
            t["foreignPartner"].as_str().unwrap()
        })
        .collect();
    assert_eq!(
        partners,
        [
            "Food Valley",
            "Life Science Corridor",
            "Medicon Valley",
            "Seoul National University"
        ]
    );
    let participation = &data["organization"]["clusterParticipations"][0];
    assert_eq!(participation["role"], "ACADEMIA");
    assert_eq!(
        participation["project"]["code"],
        "chubu-next-generation-aircraft"
    );
    let members: BTreeSet<_> = participation["project"]["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["organization"]["code"].as_str().unwrap())
        .collect();
    assert!(
        members.contains("aerospace-forum")
            && members.contains("nagoya-u")
            && members.contains("city-nagoya")
    );
    assert_eq!(members.len(), 11);
}

#[tokio::test]
async fn organisations_filter_by_kind_bureau_prefecture_and_membership() {
    let app = TestApp::spawn().await;
    assert_eq!(
        organization_codes(&app, json!({ "prefectureCode": 26 })).await,
        set(&["horiba", "shimadzu"])
    );
    assert_eq!(
        organization_codes(&app, json!({ "bureau": "KINKI" })).await,
        set(&["horiba", "meti-kinki", "shimadzu"])
    );
    // Gifu is in the Chubu bureau's area, Tokyo and Saitama in Kanto's.
    let chubu = organization_codes(&app, json!({ "bureau": "CHUBU" })).await;
    assert!(
        chubu.contains("khi-aerospace") && chubu.contains("nagoya-u") && !chubu.contains("aist")
    );
    // The source names no member; Nagoya University is named only as a participant.
    assert_eq!(
        organization_codes(&app, json!({ "membership": "MEMBER" })).await,
        set(&[])
    );
    assert_eq!(
        organization_codes(
            &app,
            json!({ "kind": "UNIVERSITY", "membership": "NON_MEMBER" })
        )
        .await,
        set(&["nagoya-u"])
    );
    assert_eq!(
        organization_codes(
            &app,
            json!({ "kind": "LOCAL_GOVERNMENT", "bureau": "CHUBU" })
        )
        .await,
        set(&["city-nagoya", "pref-aichi", "pref-gifu"])
    );
}

#[tokio::test]
async fn search_covers_both_languages_ignores_case_and_takes_wildcards_literally() {
    let app = TestApp::spawn().await;
    assert_eq!(
        organization_codes(&app, json!({ "search": "産業技術総合" })).await,
        set(&["aist"])
    );
    assert_eq!(
        organization_codes(&app, json!({ "search": "NAGOYA" })).await,
        // The Aerospace Industry Forum by its description ("… around Nagoya …").
        set(&[
            "aerospace-forum",
            "city-nagoya",
            "mhi-nagoya-aerospace",
            "nagoya-u"
        ])
    );
    assert_eq!(
        organization_codes(&app, json!({ "search": "  jetro " })).await,
        set(&["jetro"])
    );
    // `%` and `_` match themselves, not anything.
    assert!(
        organization_codes(&app, json!({ "search": "%" }))
            .await
            .is_empty()
    );
    assert!(
        organization_codes(&app, json!({ "search": "_" }))
            .await
            .is_empty()
    );
    assert_eq!(
        organization_codes(&app, json!({ "search": "FC/NW" })).await,
        set(&["fcnw"])
    );
}

#[tokio::test]
async fn search_reads_descriptions_and_needs_every_term() {
    let app = TestApp::spawn().await;
    // "Support for the overseas operations of clusters." is JETRO's description, not its name.
    assert_eq!(
        organization_codes(&app, json!({ "search": "overseas operations" })).await,
        set(&["jetro"])
    );
    // Every term must occur, each in any searched column.
    assert_eq!(
        organization_codes(&app, json!({ "search": "PROFESSIONALS support" })).await,
        set(&["jilc"])
    );
    assert!(
        organization_codes(&app, json!({ "search": "overseas professionals" }))
            .await
            .is_empty()
    );
    // A term of two characters is found without the trigram index, the same rows as a longer one.
    let short = organization_codes(&app, json!({ "search": "技術" })).await;
    let long = organization_codes(&app, json!({ "search": "産業技術" })).await;
    assert!(short.contains("aist") && long.contains("aist"), "{short:?}");
    assert!(long.is_subset(&short), "{long:?} ⊄ {short:?}");
}

#[tokio::test]
async fn sme_search_finds_japanese_and_english_names() {
    let app = TestApp::spawn().await;
    let token = app.token("desk@jetro", "jetro", &[Role::Member, Role::Evaluator]);
    for (ja, en) in [
        ("浜松精密工業", "Hamamatsu Precision Industries"),
        ("東海鋳造", "Tokai Casting"),
        ("精密鍛造所", "Seimitsu Forge"),
    ] {
        let body = app
            .graphql_as(
                &token,
                r#"mutation($k: String!, $ja: String!, $en: String!) {
                    createSme(idempotencyKey: $k, input: { nameJa: $ja, nameEn: $en, prefectureCode: 22 }) { id } }"#,
                json!({ "k": uuid::Uuid::new_v4().to_string(), "ja": ja, "en": en }),
            )
            .await
            .json();
        assert!(body["data"]["createSme"]["id"].is_string(), "{body:#}");
    }
    let names = |search: &'static str| {
        let app = &app;
        async move {
            let data = app
                .data(
                    "query($s: String!) { smes(first: 50, filter: { search: $s }) { totalCount nodes { nameEn } } }",
                    json!({ "s": search }),
                )
                .await;
            let names: BTreeSet<String> = data["smes"]["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["nameEn"].as_str().unwrap().to_owned())
                .collect();
            assert_eq!(data["smes"]["totalCount"], names.len());
            names
        }
    };
    assert_eq!(
        names("精密").await,
        set(&["Hamamatsu Precision Industries", "Seimitsu Forge"])
    );
    assert_eq!(
        names("浜松精密").await,
        set(&["Hamamatsu Precision Industries"])
    );
    assert_eq!(
        names("precision 浜松").await,
        set(&["Hamamatsu Precision Industries"])
    );
    assert_eq!(names("casting").await, set(&["Tokai Casting"]));
    assert!(names("鋳造 forge").await.is_empty());
}

#[tokio::test]
async fn projects_and_tie_ups_filter_by_field_and_bureau() {
    let app = TestApp::spawn().await;
    let data = app
        .data(
            r#"{ kinki: clusterProjects(filter: { bureau: KINKI }) { nodes { code } }
                 bio: clusterProjects(filter: { field: BIOTECHNOLOGY }, first: 100) { nodes { code } }
                 food: tieUps(filter: { field: FOOD }, first: 100) { nodes { foreignPartner } }
                 welfare: tieUps(filter: { field: HEALTH_AND_WELFARE }) { nodes { foreignPartner } }
                 chinaIt: tieUps(filter: { country: "CN", field: IT }) { nodes { foreignPartner } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        codes(&data["kinki"]),
        ["kansai-bio", "kansai-front-runner", "kansai-green"]
    );
    assert_eq!(
        codes(&data["bio"]),
        [
            "hokkaido-cluster",
            "kansai-bio",
            "kanto-bio-ventures",
            "kyushu-bio",
            "tokai-bio-monozukuri"
        ]
    );
    let partners = |v: &Value| -> Vec<String> {
        v["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["foreignPartner"].as_str().unwrap().to_owned())
            .collect()
    };
    // By country, then in the source's order.
    assert_eq!(
        partners(&data["food"]),
        ["Loiret", "Lyon", "Food Valley", "New Zealand"]
    );
    assert_eq!(partners(&data["welfare"]), ["Veneto"]);
    assert_eq!(
        partners(&data["chinaIt"]),
        ["Beijing, Shenyang, Dalian, etc"]
    );
}

#[tokio::test]
async fn objects_are_found_by_global_id_code_or_node_and_unknown_ones_are_null() {
    let app = TestApp::spawn().await;
    let data = app
        .data(r#"{ organization(code: "jetro") { id } clusterProject(code: "kyushu-silicon") { id } }"#, json!({}))
        .await;
    let (org_id, project_id) = (
        data["organization"]["id"].clone(),
        data["clusterProject"]["id"].clone(),
    );
    let data = app
        .data(
            r#"query($org: ID!, $project: ID!) {
                 byId: organization(id: $org) { code }
                 node(id: $org) { __typename id ... on Organization { code } }
                 project: node(id: $project) { __typename ... on ClusterProject { code fields } }
                 missing: organization(code: "no-such-body") { code } }"#,
            json!({ "org": org_id, "project": project_id }),
        )
        .await;
    assert_eq!(data["byId"]["code"], "jetro");
    assert_eq!(
        data["node"],
        json!({ "__typename": "Organization", "id": org_id, "code": "jetro" })
    );
    assert_eq!(
        data["project"],
        json!({ "__typename": "ClusterProject", "code": "kyushu-silicon", "fields": ["SEMICONDUCTORS"] })
    );
    assert_eq!(data["missing"], Value::Null);

    // A well-formed ID of a row that does not exist is null too.
    let data = app
        .data(
            r#"{ node(id: "T3JnYW5pemF0aW9uOjk5OTk5") { id } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["node"], Value::Null);
}

#[tokio::test]
async fn prefectures_list_all_47_with_their_bureaus() {
    let app = TestApp::spawn().await;
    let data = app
        .data(
            "{ prefectures { code isoCode nameJa region bureau } }",
            json!({}),
        )
        .await;
    let prefectures = data["prefectures"].as_array().unwrap();
    assert_eq!(prefectures.len(), 47);
    assert_eq!(
        prefectures[14],
        json!({ "code": 15, "isoCode": "JP-15", "nameJa": "新潟県", "region": "CHUBU", "bureau": "KANTO" })
    );
    assert_eq!(
        prefectures[17]["bureau"], "KINKI",
        "Fukui is under the Kinki bureau"
    );
    assert_eq!(prefectures[46]["bureau"], "OKINAWA");
}

#[tokio::test]
async fn a_project_lists_every_field_of_its_tie_ups_and_is_found_by_them() {
    let app = TestApp::spawn().await;
    let data = app
        .data(
            r#"{ tieUps(first: 100) { nodes { fields project { code fields } } }
                 automotive: clusterProjects(filter: { field: AUTOMOTIVE }) { nodes { code } }
                 hamamatsu: clusterProject(code: "hamamatsu-optronics") { program bureau fields } }"#,
            json!({}),
        )
        .await;
    for tie in data["tieUps"]["nodes"].as_array().unwrap() {
        let project_fields = tie["project"]["fields"].as_array().unwrap();
        for field in tie["fields"].as_array().unwrap() {
            assert!(project_fields.contains(field), "{tie}");
        }
    }
    assert_eq!(
        data["automotive"]["nodes"],
        json!([{ "code": "chugoku-next-generation" }])
    );
    assert_eq!(
        data["hamamatsu"],
        json!({ "program": "KNOWLEDGE_CLUSTER_INITIATIVE", "bureau": "KANTO", "fields": ["OPTOELECTRONICS"] })
    );
}

#[tokio::test]
async fn a_membership_the_network_sets_is_recorded_as_its_own() {
    let app = TestApp::spawn().await;
    let admin = app.token("admin", "iin-japan", &[Role::NetworkAdmin]);
    let id = app
        .data(r#"{ organization(code: "nagoya-u") { id } }"#, json!({}))
        .await["organization"]["id"]
        .clone();
    let reply = app
        .graphql_as(
            &admin,
            "mutation($id: ID!) { setOrganizationMembership(id: $id, membership: MEMBER) { membership membershipBasis } }",
            json!({ "id": id }),
        )
        .await
        .json();
    assert_eq!(
        reply["data"]["setOrganizationMembership"],
        json!({ "membership": "MEMBER", "membershipBasis": "NETWORK_RECORD" })
    );
}
