use iin_tests::TestApp;

#[tokio::test]
async fn liveness_and_readiness_answer_ok() {
    let app = TestApp::spawn().await;
    let live = app.get("/healthz", &[]).await;
    assert_eq!(live.status, 200);
    assert_eq!(live.json()["status"], "ok");
    let ready = app.get("/readyz", &[]).await;
    assert_eq!(ready.status, 200);
    assert_eq!(ready.json()["status"], "ready");
}

#[tokio::test]
async fn readiness_goes_red_when_the_database_is_gone() {
    let app = TestApp::spawn().await;
    app.db.clone().close().await.expect("close the pool");
    let ready = app.get("/readyz", &[]).await;
    assert_eq!(ready.status, 503);
    assert_eq!(ready.json()["status"], "unavailable");
    // The process itself is still up.
    assert_eq!(app.get("/healthz", &[]).await.status, 200);
}
