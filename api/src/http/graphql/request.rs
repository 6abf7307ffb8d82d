//! Reading a GraphQL request: the media type the reply is written in (`Accept`), the parameters
//! of a GET, and a POST body (`Content-Type`, its size and the time it takes to arrive, one
//! request or a batch).

use std::collections::HashMap;

use actix_web::{
    HttpRequest,
    http::{StatusCode, header},
    web,
};
use futures_util::StreamExt;
use serde_json::{Map, Value};

use super::super::{
    AppState,
    admission::Params,
    refusal::{MediaType, Refusal},
};
use crate::error::ErrorCode;

/// Picks the response media type from `Accept`, by preference (q) and then order.
pub(super) fn negotiate(req: &HttpRequest) -> Result<MediaType, Refusal> {
    let Some(accept) = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.trim().is_empty())
    else {
        return Ok(MediaType::Json);
    };
    let mut offers: Vec<(f32, MediaType)> = Vec::new();
    for range in accept.split(',') {
        let mut parts = range.split(';').map(str::trim);
        let essence = parts.next().unwrap_or_default().to_ascii_lowercase();
        let mut quality = 1.0_f32;
        let mut utf8 = true;
        for param in parts {
            let (name, value) = param.split_once('=').unwrap_or((param, ""));
            match name.trim().to_ascii_lowercase().as_str() {
                "q" => quality = value.trim().parse().unwrap_or(0.0),
                "charset" => utf8 = value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8"),
                _ => {}
            }
        }
        let media = match essence.as_str() {
            "application/graphql-response+json" => MediaType::GraphqlResponseJson,
            "application/json" | "application/*" | "*/*" => MediaType::Json,
            _ => continue,
        };
        if quality > 0.0 && utf8 {
            offers.push((quality, media));
        }
    }
    // A stable sort keeps the client's order among equal preferences.
    offers.sort_by(|a, b| b.0.total_cmp(&a.0));
    offers.first().map(|(_, media)| *media).ok_or_else(|| {
        Refusal::new(
            StatusCode::NOT_ACCEPTABLE,
            ErrorCode::NotAcceptable,
            "this endpoint answers application/graphql-response+json or application/json",
        )
    })
}

pub(super) fn wants_html(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.to_ascii_lowercase().contains("text/html"))
}

pub(super) fn params_from_url(query_string: &str) -> Result<Params, &'static str> {
    let pairs: HashMap<String, String> =
        web::Query::<HashMap<String, String>>::from_query(query_string)
            .map_err(|_| "the URL parameters are malformed")?
            .into_inner();
    let mut object = Map::new();
    if let Some(query) = pairs.get("query") {
        object.insert("query".into(), Value::String(query.clone()));
    }
    if let Some(name) = pairs.get("operationName") {
        object.insert("operationName".into(), Value::String(name.clone()));
    }
    for key in ["variables", "extensions"] {
        if let Some(text) = pairs.get(key) {
            let value = serde_json::from_str(text).map_err(|_| match key {
                "variables" => "`variables` must be URL-encoded JSON",
                _ => "`extensions` must be URL-encoded JSON",
            })?;
            object.insert(key.into(), value);
        }
    }
    Params::from_json(Value::Object(object))
}

/// Checks `Content-Type: application/json` (UTF-8, the default, or said explicitly).
fn check_content_type(req: &HttpRequest) -> Result<(), Refusal> {
    let unsupported = || {
        Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "send the request as Content-Type: application/json",
        )
    };
    let value = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(unsupported)?;
    let mut parts = value.split(';').map(str::trim);
    if !parts
        .next()
        .unwrap_or_default()
        .eq_ignore_ascii_case("application/json")
    {
        return Err(unsupported());
    }
    for param in parts {
        if let Some((name, charset)) = param.split_once('=')
            && name.trim().eq_ignore_ascii_case("charset")
            && !charset
                .trim()
                .trim_matches('"')
                .eq_ignore_ascii_case("utf-8")
        {
            return Err(unsupported());
        }
    }
    Ok(())
}

async fn read_body(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
    timeout: std::time::Duration,
) -> Result<web::BytesMut, Refusal> {
    let too_large = || {
        Refusal::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            format!("the request body is larger than {limit} bytes"),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return Err(too_large());
    }
    // The whole body must arrive within the timeout, however it trickles in: a client that
    // sends a byte now and then must not hold a worker's connection for ever.
    let read = async {
        let mut body = web::BytesMut::with_capacity(declared.unwrap_or(0));
        while let Some(chunk) = payload.next().await {
            let chunk =
                chunk.map_err(|_| Refusal::bad_request("the request body could not be read"))?;
            if body.len() + chunk.len() > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    };
    tokio::time::timeout(timeout, read)
        .await
        .unwrap_or_else(|_| {
            Err(Refusal::new(
                StatusCode::REQUEST_TIMEOUT,
                ErrorCode::RequestTimeout,
                format!(
                    "the request body did not arrive within {} ms",
                    timeout.as_millis()
                ),
            ))
        })
}

/// A POST body: one request, or a batch of them.
pub(super) enum Posted {
    One(Params),
    Batch(Vec<Params>),
}

pub(super) async fn read_post(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
) -> Result<Posted, Refusal> {
    check_content_type(req)?;
    let body = read_body(
        req,
        payload,
        state.http.max_body_bytes,
        state.http.body_timeout,
    )
    .await?;
    if body.is_empty() {
        return Err(Refusal::bad_request("the request body is empty"));
    }
    let value = serde_json::from_slice(&body)
        .map_err(|_| Refusal::bad_request("the request body is not valid JSON"))?;
    let Value::Array(requests) = value else {
        return Params::from_json(value)
            .map(Posted::One)
            .map_err(Refusal::bad_request);
    };
    let max = state.http.limits.max_batch_size;
    if requests.is_empty() {
        return Err(Refusal::bad_request("the batch is empty"));
    }
    if requests.len() > max {
        return Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::BatchTooLarge,
            format!("a batch may hold at most {max} operations"),
        ));
    }
    requests
        .into_iter()
        .map(Params::from_json)
        .collect::<Result<_, _>>()
        .map(Posted::Batch)
        .map_err(Refusal::bad_request)
}
