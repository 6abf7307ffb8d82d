//! Public keys of institutions' identity providers, from a JWKS file or URL, kept in memory and
//! refreshed in the background. A token naming an unknown `kid` triggers one early refresh (at
//! most every `IIN_JWKS_MIN_REFRESH_SECS`), so a rotated key is picked up without waiting. The URL is configured:
//! nothing named inside a token is ever fetched.

use std::{collections::HashMap, path::PathBuf, sync::Arc, time::Duration};

use jsonwebtoken::{
    Algorithm, DecodingKey,
    jwk::{AlgorithmParameters, EllipticCurve, JwkSet, KeyAlgorithm, PublicKeyUse},
};
use tokio::{
    sync::{Mutex, RwLock},
    time::Instant,
};

#[derive(Debug, Clone)]
pub enum JwksSource {
    File(PathBuf),
    Url(String),
}

#[derive(Debug, thiserror::Error)]
pub enum JwksError {
    #[error("cannot read the JWKS: {0}")]
    Read(String),
    #[error("the JWKS is not a JSON Web Key Set: {0}")]
    Parse(String),
    #[error("the JWKS holds no usable RS256/ES256 signing key with a kid")]
    Empty,
}

type Keys = HashMap<String, (DecodingKey, Algorithm)>;

pub struct KeyStore {
    source: JwksSource,
    algorithms: Vec<Algorithm>,
    min_refresh: Duration,
    client: reqwest::Client,
    keys: RwLock<Arc<Keys>>,
    last_refresh: Mutex<Instant>,
}

impl KeyStore {
    /// Loads the keys once; a start without usable keys fails.
    pub async fn load(
        source: JwksSource,
        algorithms: Vec<Algorithm>,
        min_refresh: Duration,
    ) -> Result<Arc<Self>, JwksError> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| JwksError::Read(e.to_string()))?;
        let store = Self {
            source,
            algorithms,
            min_refresh,
            client,
            keys: RwLock::new(Arc::new(HashMap::new())),
            last_refresh: Mutex::new(Instant::now()),
        };
        store.refresh().await?;
        Ok(Arc::new(store))
    }

    /// Re-reads the key set; on failure the keys in hand stay.
    pub async fn refresh(&self) -> Result<(), JwksError> {
        *self.last_refresh.lock().await = Instant::now();
        let text = match &self.source {
            JwksSource::File(path) => tokio::fs::read_to_string(path)
                .await
                .map_err(|e| JwksError::Read(e.to_string()))?,
            JwksSource::Url(url) => self
                .client
                .get(url)
                .send()
                .await
                .and_then(reqwest::Response::error_for_status)
                .map_err(|e| JwksError::Read(e.to_string()))?
                .text()
                .await
                .map_err(|e| JwksError::Read(e.to_string()))?,
        };
        let keys = parse(&text, &self.algorithms)?;
        *self.keys.write().await = Arc::new(keys);
        Ok(())
    }

    /// The key named `kid` and its algorithm, refreshing early once if it is unknown.
    pub async fn key(&self, kid: &str) -> Option<(DecodingKey, Algorithm)> {
        if let Some(found) = self.keys.read().await.get(kid) {
            return Some(found.clone());
        }
        let due = self.last_refresh.lock().await.elapsed() >= self.min_refresh;
        if due {
            if let Err(err) = self.refresh().await {
                tracing::warn!(error = %err, "JWKS refresh failed; keeping the keys in hand");
            }
            return self.keys.read().await.get(kid).cloned();
        }
        None
    }

    /// Refreshes every `period` for as long as the process runs.
    pub fn spawn_refresh(self: &Arc<Self>, period: Duration) {
        let store = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(period);
            ticks.tick().await;
            loop {
                ticks.tick().await;
                let Some(store) = store.upgrade() else { break };
                if let Err(err) = store.refresh().await {
                    tracing::warn!(error = %err, "JWKS refresh failed; keeping the keys in hand");
                }
            }
        });
    }
}

/// The RSA and P-256 signing keys with a `kid` whose algorithm is accepted. Symmetric (`oct`)
/// keys are never taken from a key set.
fn parse(text: &str, accepted: &[Algorithm]) -> Result<Keys, JwksError> {
    let set: JwkSet = serde_json::from_str(text).map_err(|e| JwksError::Parse(e.to_string()))?;
    let mut keys = HashMap::new();
    for jwk in &set.keys {
        let Some(kid) = jwk.common.key_id.clone() else {
            continue;
        };
        if matches!(&jwk.common.public_key_use, Some(usage) if *usage != PublicKeyUse::Signature) {
            continue;
        }
        let family = match &jwk.algorithm {
            AlgorithmParameters::RSA(_) => Algorithm::RS256,
            AlgorithmParameters::EllipticCurve(ec) if ec.curve == EllipticCurve::P256 => {
                Algorithm::ES256
            }
            _ => continue,
        };
        let declared = match jwk.common.key_algorithm {
            None => family,
            Some(KeyAlgorithm::RS256) => Algorithm::RS256,
            Some(KeyAlgorithm::ES256) => Algorithm::ES256,
            Some(_) => continue,
        };
        if declared != family || !accepted.contains(&declared) {
            continue;
        }
        if let Ok(key) = DecodingKey::from_jwk(jwk) {
            keys.insert(kid, (key, declared));
        }
    }
    if keys.is_empty() {
        Err(JwksError::Empty)
    } else {
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SET: &str = include_str!("../../../tests/fixtures/jwt/jwks-a.json");

    #[test]
    fn takes_rsa_and_p256_keys_by_kid() {
        let keys = parse(SET, &[Algorithm::RS256, Algorithm::ES256]).unwrap();
        assert_eq!(keys["rsa-a"].1, Algorithm::RS256);
        assert_eq!(keys["ec-a"].1, Algorithm::ES256);
        let only_rsa = parse(SET, &[Algorithm::RS256]).unwrap();
        assert!(!only_rsa.contains_key("ec-a"));
    }

    #[test]
    fn never_takes_symmetric_keys() {
        let oct = r#"{"keys":[{"kty":"oct","kid":"k","alg":"HS256","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"}]}"#;
        assert!(matches!(
            parse(oct, &[Algorithm::HS256, Algorithm::RS256]),
            Err(JwksError::Empty)
        ));
        assert!(matches!(
            parse("{", &[Algorithm::RS256]),
            Err(JwksError::Parse(_))
        ));
    }
}
