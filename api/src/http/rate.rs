//! Per-client rate limits, in this process: a token bucket per token subject (callers with a
//! token) or per client address (anonymous callers), refilled evenly over the minute, so that a
//! client may burst up to its limit and then goes at the limit's pace. Over it, a request is
//! answered 429 with `Retry-After` and a `RATE_LIMITED` error. Memory is bounded: past
//! [`MAX_CLIENTS`] buckets, full ones (clients idle long enough to be back at their limit, the
//! same as new ones) are dropped, and then any, down to half.

use crate::error::ErrorCode;
use std::{
    collections::HashMap,
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

use actix_web::{HttpRequest, http::StatusCode};

use super::refusal::Refusal;
use crate::{auth::Caller, settings::RateLimitSettings};

/// Buckets kept at most (about 100 bytes each).
const MAX_CLIENTS: usize = 100_000;

struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn refill(&mut self, now: Instant, capacity: f64) {
        let rate = capacity / 60.0;
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate).min(capacity);
        self.at = now;
    }
}

pub struct RateLimiter {
    settings: RateLimitSettings,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    pub fn new(settings: RateLimitSettings) -> Self {
        Self {
            settings,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// The client's address: the peer's, or, when the peer is a trusted proxy, the last address
    /// of `X-Forwarded-For` that is not a trusted proxy (addresses further left could be
    /// written by the client itself).
    pub(super) fn client_ip(&self, req: &HttpRequest) -> Option<IpAddr> {
        let peer = req.peer_addr()?.ip();
        let trusted = |ip: IpAddr| {
            self.settings
                .trusted_proxies
                .iter()
                .any(|net| net.contains(ip))
        };
        if !trusted(peer) {
            return Some(peer);
        }
        let mut client = peer;
        let forwarded = req.headers().get_all("x-forwarded-for").collect::<Vec<_>>();
        for value in forwarded.into_iter().rev() {
            let Ok(list) = value.to_str() else {
                return Some(client);
            };
            for hop in list.rsplit(',') {
                let Ok(ip) = hop.trim().parse::<IpAddr>() else {
                    return Some(client);
                };
                client = ip;
                if !trusted(ip) {
                    return Some(client);
                }
            }
        }
        Some(client)
    }

    /// Takes one request from the caller's allowance, or says why not.
    pub(super) fn admit(&self, caller: &Caller, ip: Option<IpAddr>) -> Result<(), Refusal> {
        let (key, limit) = match caller.principal() {
            Some(principal) => (
                format!("sub:{}", principal.subject),
                self.settings.per_minute,
            ),
            None => (
                format!("ip:{}", ip.map(|ip| ip.to_string()).unwrap_or_default()),
                self.settings.anonymous_per_minute,
            ),
        };
        if limit == 0 {
            return Ok(());
        }
        let wait = self.take(key, f64::from(limit), Instant::now());
        match wait {
            None => Ok(()),
            Some(wait) => {
                let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
                Err(Refusal::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    ErrorCode::RateLimited,
                    format!("more than {limit} requests a minute; retry in {seconds} s"),
                )
                .retry_after(seconds))
            }
        }
    }

    /// One token from `key`'s bucket; `Some(wait)` when it is empty.
    fn take(&self, key: String, capacity: f64, now: Instant) -> Option<Duration> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_CLIENTS && !buckets.contains_key(&key) {
            buckets.retain(|_, bucket| {
                bucket.refill(now, capacity);
                bucket.tokens < capacity
            });
            if buckets.len() > MAX_CLIENTS / 2 {
                let excess: Vec<String> = buckets
                    .keys()
                    .take(buckets.len() - MAX_CLIENTS / 2)
                    .cloned()
                    .collect();
                for key in excess {
                    buckets.remove(&key);
                }
            }
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        bucket.refill(now, capacity);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            None
        } else {
            Some(Duration::from_secs_f64(
                (1.0 - bucket.tokens) * 60.0 / capacity,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter() -> RateLimiter {
        RateLimiter::new(RateLimitSettings {
            per_minute: 60,
            anonymous_per_minute: 2,
            trusted_proxies: vec![],
        })
    }

    #[test]
    fn a_bucket_bursts_to_its_limit_then_refills_evenly() {
        let limiter = limiter();
        let start = Instant::now();
        for _ in 0..60 {
            assert!(limiter.take("a".into(), 60.0, start).is_none());
        }
        let wait = limiter.take("a".into(), 60.0, start).unwrap();
        assert!(wait <= Duration::from_secs(1), "{wait:?}");
        assert!(limiter.take("b".into(), 60.0, start).is_none());
        let later = start + Duration::from_millis(1100);
        assert!(limiter.take("a".into(), 60.0, later).is_none());
        assert!(limiter.take("a".into(), 60.0, later).is_some());
    }

    #[test]
    fn memory_stays_bounded() {
        let limiter = limiter();
        let start = Instant::now();
        for i in 0..MAX_CLIENTS {
            limiter.take(format!("ip:{i}"), 2.0, start);
        }
        assert_eq!(limiter.buckets.lock().unwrap().len(), MAX_CLIENTS);
        // Idle clients are back at their limit after a minute and are the first dropped.
        let later = start + Duration::from_secs(61);
        limiter.take("new".into(), 2.0, later);
        assert!(limiter.buckets.lock().unwrap().len() < 10);
        // Busy ones too, when there are more than the bound.
        for i in 0..MAX_CLIENTS + 10 {
            limiter.take(format!("busy:{i}"), 2.0, later);
        }
        let kept = limiter.buckets.lock().unwrap().len();
        assert!(kept <= MAX_CLIENTS, "{kept}");
    }
}
