//! The web app: the browser client's files, embedded in the binary and served at `/`.
//!
//! The client is plain ES modules, stylesheets and icons under `assets/`: nothing is compiled,
//! so what is committed is what browsers run, and `cargo run` serves it with no Node step.
//! Debug builds read the files from disk on every request (edit, reload); release builds carry
//! them inside the binary.
//!
//! Every file is sent with a strong `ETag` (its SHA-256) and `Cache-Control: no-cache`, so a
//! browser revalidates with a cheap 304 and an upgraded server is picked up at once; the
//! service worker keeps the shell for offline use. Text files are gzipped once, at first use.
//! Any other `GET` outside `/api` and `/ws` whose last segment has no extension is a page of
//! the app (`/lists/…`, `/join/CODE`) and gets `index.html`.

mod assets;
mod gzip;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse, web};

pub use assets::Asset;

/// Serve the app from the scope's default service, so that every route registered elsewhere
/// keeps priority and only unmatched paths reach it.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.default_service(web::to(serve));
}

/// Answers one unmatched request: a file of the app, the app's page, or a 404 / 405 that the
/// server's error envelope then renders.
pub async fn serve(req: HttpRequest) -> HttpResponse {
    let path = req.path();
    if is_server_path(path) {
        return HttpResponse::NotFound().finish();
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return HttpResponse::MethodNotAllowed()
            .insert_header((header::ALLOW, "GET, HEAD"))
            .finish();
    }
    let asset = match Asset::find(path) {
        Some(asset) => asset,
        None if is_page(path) => match Asset::find("/index.html") {
            Some(index) => index,
            None => return HttpResponse::NotFound().finish(),
        },
        None => return HttpResponse::NotFound().finish(),
    };
    respond(&req, &asset)
}

/// Paths the API owns: never answered with the app, even when no route matched.
fn is_server_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/") || path == "/ws" || path.starts_with("/ws/")
}

/// A client-side route (`/pantry`, `/lists/0193…`) rather than a missing file (`/x.js`).
fn is_page(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or("");
    !last.contains('.')
}

fn respond(req: &HttpRequest, asset: &Asset) -> HttpResponse {
    let gzip = asset.compressible() && accepts_gzip(req);
    let body = if gzip { gzip::compressed(asset) } else { None };
    let etag = match body {
        Some(_) => format!("\"{}-gz\"", asset.hash_hex()),
        None => format!("\"{}\"", asset.hash_hex()),
    };
    let unchanged = if_none_match(req, &etag);
    let mut response = if unchanged {
        HttpResponse::build(StatusCode::NOT_MODIFIED)
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::CONTENT_TYPE, asset.content_type()))
        .insert_header((header::ETAG, etag))
        // Revalidate every time: file names carry no hash, and a 304 costs a few bytes.
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::VARY, "Accept-Encoding"));
    if asset.is_service_worker() {
        // The worker controls the whole origin from `/sw.js`.
        response.insert_header(("service-worker-allowed", "/"));
    }
    if unchanged {
        return response.finish();
    }
    // For HEAD, actix sends the headers of this body (its length) and leaves the body out.
    match body {
        Some(gz) => {
            response.insert_header((header::CONTENT_ENCODING, HeaderValue::from_static("gzip")));
            response.body(gz)
        }
        None => response.body(asset.bytes()),
    }
}

fn accepts_gzip(req: &HttpRequest) -> bool {
    req.headers()
        .get_all(header::ACCEPT_ENCODING)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.trim().split(';');
            let name = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
            name.eq_ignore_ascii_case("gzip") && !refused
        })
}

fn if_none_match(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| {
            let tag = tag.trim();
            tag == "*" || tag == etag || tag.strip_prefix("W/") == Some(etag)
        })
}
