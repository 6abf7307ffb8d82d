//! GraphiQL for browsers, served entirely from this binary: the page, its pinned third-party assets
//! (production builds, see `api/assets/graphiql/VERSIONS`) and the script that starts it with the
//! subscription URL and an example query. Nothing is fetched from another origin, so the page works
//! in a network without internet, and the page's Content-Security-Policy says so to the browser.

use std::sync::LazyLock;

use actix_web::{HttpRequest, HttpResponse, http::header, web};

use super::{
    AppState,
    graphql::{etag, matches_weakly},
};

/// Same-origin only; inline styles because GraphiQL's editor sets them, `data:` for its fonts and
/// icons, WebSockets for subscriptions.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
    connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// A file the page loads, at `/graphiql/{name}`.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
    /// Third-party files carry their version in their name, so a browser may keep them; our own
    /// script changes with the binary and is revalidated.
    immutable: bool,
}

static ASSETS: [Asset; 5] = [
    Asset {
        name: "react-18.3.1.production.min.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../assets/graphiql/react.production.min.js"),
        immutable: true,
    },
    Asset {
        name: "react-dom-18.3.1.production.min.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../assets/graphiql/react-dom.production.min.js"),
        immutable: true,
    },
    Asset {
        name: "graphiql-3.9.0.min.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../assets/graphiql/graphiql.min.js"),
        immutable: true,
    },
    Asset {
        name: "graphiql-3.9.0.min.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../../assets/graphiql/graphiql.min.css"),
        immutable: true,
    },
    Asset {
        name: "init.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("graphiql/init.js"),
        immutable: false,
    },
];

/// Each asset's validator, computed once.
static ETAGS: LazyLock<Vec<String>> =
    LazyLock::new(|| ASSETS.iter().map(|a| etag(a.body)).collect());

/// The page, answered to a browser's GET of `/graphql`.
pub fn page() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header(("x-content-type-options", "nosniff"))
        .body(include_str!("graphiql/index.html"))
}

/// `GET /graphiql/{name}`: one of the page's assets, 404 for anything else or when GraphiQL is
/// turned off (`IIN_GRAPHIQL=false`).
pub async fn asset(
    req: HttpRequest,
    name: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let found = ASSETS.iter().position(|a| a.name == name.as_str());
    let Some(index) = found.filter(|_| state.http.graphiql) else {
        return HttpResponse::NotFound().finish();
    };
    let asset = &ASSETS[index];
    let etag = &ETAGS[index];
    let cache_control = if asset.immutable {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| matches_weakly(tags, etag));
    let mut reply = if unchanged {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    reply
        .insert_header((header::ETAG, etag.as_str()))
        .insert_header((header::CACHE_CONTROL, cache_control))
        .insert_header(("x-content-type-options", "nosniff"));
    if unchanged {
        return reply.finish();
    }
    reply
        .insert_header((header::CONTENT_TYPE, asset.content_type))
        .body(asset.body)
}
