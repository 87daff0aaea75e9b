//! How the web app's files are served: the page for every app path, files with the right
//! types, revalidation, gzip, and nothing for paths the API owns.

use actix_web::http::{StatusCode, header};
use actix_web::{App, test};

macro_rules! app {
    () => {
        test::init_service(App::new().configure(pantry_web::configure)).await
    };
}

async fn get(path: &str, headers: &[(&str, &str)]) -> (StatusCode, header::HeaderMap, Vec<u8>) {
    let app = app!();
    let mut req = test::TestRequest::get().uri(path);
    for (name, value) in headers {
        req = req.insert_header((*name, *value));
    }
    let res = test::call_service(&app, req.to_request()).await;
    let status = res.status();
    let headers = res.headers().clone();
    let body = test::read_body(res).await.to_vec();
    (status, headers, body)
}

fn h(headers: &header::HeaderMap, name: impl header::AsHeaderName) -> &str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

fn text(body: &[u8]) -> String {
    String::from_utf8_lossy(body).into_owned()
}

#[actix_web::test]
async fn every_app_path_gets_the_page() {
    for path in [
        "/",
        "/pantry",
        "/lists/0193a0c4-0000-7000-8000-000000000000",
        "/join/ABCD-1234",
        "/settings",
    ] {
        let (status, headers, body) = get(path, &[]).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(
            h(&headers, header::CONTENT_TYPE),
            "text/html; charset=utf-8",
            "{path}"
        );
        assert_eq!(h(&headers, header::CACHE_CONTROL), "no-cache", "{path}");
        assert!(
            text(&body).contains(r#"<script type="module" src="/js/main.js">"#),
            "{path}"
        );
    }
}

#[actix_web::test]
async fn files_have_their_types() {
    let cases = [
        ("/js/main.js", "text/javascript; charset=utf-8"),
        ("/app.css", "text/css; charset=utf-8"),
        (
            "/manifest.webmanifest",
            "application/manifest+json; charset=utf-8",
        ),
        ("/icons/icon.svg", "image/svg+xml; charset=utf-8"),
        ("/sw.js", "text/javascript; charset=utf-8"),
    ];
    for (path, content_type) in cases {
        let (status, headers, _) = get(path, &[]).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(h(&headers, header::CONTENT_TYPE), content_type, "{path}");
    }
    let (_, headers, _) = get("/sw.js", &[]).await;
    assert_eq!(h(&headers, "service-worker-allowed"), "/");
}

#[actix_web::test]
async fn the_page_loads_no_inline_script_or_style() {
    // The server's CSP allows neither; the page must not need them.
    let (_, _, body) = get("/", &[]).await;
    let page = text(&body);
    let scripts = page.matches("<script").count();
    assert_eq!(
        scripts,
        page.matches("<script type=\"module\" src=").count(),
        "inline script in index.html"
    );
    assert!(
        !page.contains("<style") && !page.contains("style=\""),
        "inline style in index.html"
    );
    assert!(
        !page.contains(" onclick=") && !page.contains(" onload="),
        "inline handler in index.html"
    );
}

#[actix_web::test]
async fn unchanged_files_answer_304() {
    let (_, headers, _) = get("/app.css", &[]).await;
    let etag = h(&headers, header::ETAG).to_owned();
    let (status, again, body) = get("/app.css", &[("If-None-Match", &etag)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(h(&again, header::ETAG), etag);
    assert!(body.is_empty());
    let (status, _, _) = get("/app.css", &[("If-None-Match", "\"something-else\"")]).await;
    assert_eq!(status, StatusCode::OK);
}

#[actix_web::test]
async fn text_is_gzipped_for_browsers_that_ask() {
    let (_, _, plain) = get("/app.css", &[]).await;
    let (status, headers, gz) = get("/app.css", &[("Accept-Encoding", "gzip, deflate, br")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h(&headers, header::CONTENT_ENCODING), "gzip");
    assert!(
        h(&headers, header::ETAG).ends_with("-gz\""),
        "a gzipped body has its own ETag"
    );
    assert!(
        gz.len() < plain.len() / 2,
        "{} vs {}",
        gz.len(),
        plain.len()
    );
    let mut decoded = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut decoded).unwrap();
    assert_eq!(decoded, plain);
    // Refused explicitly: plain.
    let (_, headers, _) = get("/app.css", &[("Accept-Encoding", "gzip;q=0")]).await;
    assert!(headers.get(header::CONTENT_ENCODING).is_none());
}

#[actix_web::test]
async fn api_paths_and_missing_files_are_404() {
    for path in [
        "/api",
        "/api/nope",
        "/api/homes/x/nothing",
        "/ws/x",
        "/nope.js",
        "/js/nope.js",
        "/js/../app.css",
        "/js//main.js",
    ] {
        let (status, _, body) = get(path, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(!text(&body).contains("<html"), "{path} got the page");
    }
}

#[actix_web::test]
async fn only_get_and_head_are_served() {
    let app = app!();
    let res = test::call_service(&app, test::TestRequest::post().uri("/pantry").to_request()).await;
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(h(res.headers(), header::ALLOW), "GET, HEAD");
    let res = test::call_service(
        &app,
        test::TestRequest::default()
            .method(actix_web::http::Method::HEAD)
            .uri("/app.css")
            .to_request(),
    )
    .await;
    // The same answer as GET: actix's HTTP layer sends its headers (the length too) and drops
    // the body on the wire.
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        h(res.headers(), header::CONTENT_TYPE),
        "text/css; charset=utf-8"
    );
    assert!(!h(res.headers(), header::ETAG).is_empty());
}

#[actix_web::test]
async fn the_service_worker_caches_every_shell_file_that_exists() {
    // sw.js lists the shell by hand: a renamed or missing file would break offline start.
    let (_, _, body) = get("/sw.js", &[]).await;
    let sw = text(&body);
    let start = sw
        .find("const SHELL_FILES = [")
        .expect("SHELL_FILES in sw.js");
    let list = &sw[start..sw[start..].find("];").map(|end| start + end).unwrap()];
    let files: Vec<&str> = list.split('\'').skip(1).step_by(2).collect();
    assert!(files.len() > 20, "{files:?}");
    for file in files {
        let (status, _, _) = get(file, &[]).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "sw.js caches {file}, which is not served"
        );
    }
    // And every script of the app is in it.
    for path in pantry_web::Asset::paths() {
        if path.starts_with("js/") {
            assert!(
                list.contains(&format!("'/{path}'")),
                "sw.js does not cache /{path}"
            );
        }
    }
}
