//! JWT verification and (for development) issuing.
//!
//! The accepted algorithms come from configuration: HS256 needs `IIN_JWT_SECRET` (32 bytes at
//! least), RS256/ES256 need a JWKS. A token's header only picks among configured keys: HS256
//! tokens are checked with the secret and nothing else, RS256/ES256 tokens with the JWKS key its
//! `kid` names, whose own family must match. `exp` and `sub` are required, `nbf` is checked, the
//! leeway is small, and `iss` / `aud` are checked when configured. `alg: none` does not parse.
//! A token longer than [`MAX_TOKEN_BYTES`] is refused unread, and a header `typ`, when present,
//! must be one of `IIN_JWT_TYPES` (media types, compared case-insensitively, `application/`
//! optional, as RFC 7515 §4.1.9 says).

use std::{sync::Arc, time::Duration};

use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header,
};
use serde::{Deserialize, Serialize};

use super::{Role, jwks::KeyStore};
use crate::settings::AuthSettings;

/// The claims IIN Japan reads (documented in the README for identity providers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    /// The institution the caller acts for, by its directory `code`; may be left out when
    /// `affiliations` names the institutions.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub institution: String,
    /// Role names at that institution; names this API does not know are ignored.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// A person's roles at several institutions; each request acts for one of them, named by the
    /// `IIN-Institution` header when there are several.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub affiliations: Vec<AffiliationClaim>,
    pub exp: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
}

/// One entry of the `affiliations` claim: an institution, by its directory `code`, and the
/// person's role names there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AffiliationClaim {
    pub institution: String,
    #[serde(default)]
    pub roles: Vec<String>,
}

/// The roles this API knows among `names`, sorted and without duplicates.
fn known(names: &[String]) -> Vec<Role> {
    let mut roles: Vec<Role> = names.iter().filter_map(|r| Role::parse(r)).collect();
    roles.sort();
    roles.dedup();
    roles
}

impl Claims {
    /// The roles this API knows, sorted and without duplicates.
    pub fn known_roles(&self) -> Vec<Role> {
        known(&self.roles)
    }

    /// Every institution the token gives roles at, in the token's order (`institution` first),
    /// each once with the known roles it names there (an institution named twice gets the roles
    /// of both entries).
    pub fn affiliations(&self) -> Vec<(String, Vec<Role>)> {
        let mut all: Vec<(String, Vec<Role>)> = Vec::new();
        let top = (!self.institution.is_empty()).then_some((&self.institution, &self.roles));
        let listed = self.affiliations.iter().map(|a| (&a.institution, &a.roles));
        for (code, names) in top.into_iter().chain(listed) {
            match all.iter_mut().find(|(known_code, _)| known_code == code) {
                Some((_, roles)) => {
                    roles.extend(known(names));
                    roles.sort();
                    roles.dedup();
                }
                None => all.push((code.clone(), known(names))),
            }
        }
        all
    }
}

/// Why a token was refused. The caller only ever hears "invalid token"; the reason is logged.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("no verification is configured")]
    NotConfigured,
    #[error("malformed token or header")]
    Malformed,
    #[error("algorithm {0:?} is not accepted")]
    AlgorithmRefused(Algorithm),
    #[error("no key for this token")]
    UnknownKey,
    #[error("{0}")]
    Invalid(jsonwebtoken::errors::Error),
    #[error("claim {0} is empty or too long")]
    BadClaim(&'static str),
    #[error("the token is longer than {MAX_TOKEN_BYTES} bytes")]
    TooLong,
    #[error("header typ {0:?} is not accepted")]
    TypeRefused(String),
}

/// The most entries `affiliations` may hold.
pub const MAX_AFFILIATIONS: usize = 20;

/// The longest token read at all: far above any real one, far below what decoding could cost.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// A `typ` media type as RFC 7515 compares it: lowercase, without an `application/` prefix.
fn media_type(typ: &str) -> String {
    let typ = typ.trim().to_ascii_lowercase();
    match typ.strip_prefix("application/") {
        Some(rest) if !rest.contains('/') => rest.to_owned(),
        _ => typ,
    }
}

pub struct Verifier {
    secret: Option<DecodingKey>,
    keys: Option<Arc<KeyStore>>,
    algorithms: Vec<Algorithm>,
    issuer: Option<String>,
    audience: Option<String>,
    leeway: Duration,
    /// Accepted `typ` values, as [`media_type`] writes them.
    types: Vec<String>,
}

impl Verifier {
    pub fn new(settings: &AuthSettings, keys: Option<Arc<KeyStore>>) -> Self {
        Self {
            secret: settings
                .jwt_secret
                .as_ref()
                .map(|s| DecodingKey::from_secret(s.as_bytes())),
            keys,
            algorithms: settings.algorithms.clone(),
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            leeway: settings.leeway,
            types: settings.token_types.iter().map(|t| media_type(t)).collect(),
        }
    }

    fn validation(&self, algorithm: Algorithm) -> Validation {
        let mut validation = Validation::new(algorithm);
        validation.leeway = self.leeway.as_secs();
        validation.validate_exp = true;
        validation.validate_nbf = true;
        let mut required = vec!["exp", "sub"];
        match &self.issuer {
            Some(issuer) => {
                validation.set_issuer(&[issuer]);
                required.push("iss");
            }
            None => validation.iss = None,
        }
        match &self.audience {
            Some(audience) => {
                validation.set_audience(&[audience]);
                required.push("aud");
            }
            None => validation.validate_aud = false,
        }
        validation.set_required_spec_claims(&required);
        validation
    }

    pub async fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        if self.secret.is_none() && self.keys.is_none() {
            return Err(TokenError::NotConfigured);
        }
        if token.len() > MAX_TOKEN_BYTES {
            return Err(TokenError::TooLong);
        }
        let header = decode_header(token).map_err(|_| TokenError::Malformed)?;
        if let Some(typ) = &header.typ
            && !self.types.contains(&media_type(typ))
        {
            return Err(TokenError::TypeRefused(typ.clone()));
        }
        if !self.algorithms.contains(&header.alg) {
            return Err(TokenError::AlgorithmRefused(header.alg));
        }
        let key = match header.alg {
            Algorithm::HS256 => self.secret.clone().ok_or(TokenError::UnknownKey)?,
            _ => {
                let (keys, kid) = self
                    .keys
                    .as_ref()
                    .zip(header.kid.as_deref())
                    .ok_or(TokenError::UnknownKey)?;
                let (key, algorithm) = keys.key(kid).await.ok_or(TokenError::UnknownKey)?;
                if algorithm != header.alg {
                    return Err(TokenError::AlgorithmRefused(header.alg));
                }
                key
            }
        };
        let claims = decode::<Claims>(token, &key, &self.validation(header.alg))
            .map_err(TokenError::Invalid)?
            .claims;
        if claims.sub.trim().is_empty() || claims.sub.len() > 200 {
            return Err(TokenError::BadClaim("sub"));
        }
        // An institution is named at the top or in `affiliations`; every name given is checked.
        if claims.institution.is_empty() && claims.affiliations.is_empty() {
            return Err(TokenError::BadClaim("institution"));
        }
        if claims.affiliations.len() > MAX_AFFILIATIONS {
            return Err(TokenError::BadClaim("affiliations"));
        }
        let named = (!claims.institution.is_empty()).then_some(&claims.institution);
        for code in named
            .into_iter()
            .chain(claims.affiliations.iter().map(|a| &a.institution))
        {
            if code.trim().is_empty() || code.len() > 40 {
                return Err(TokenError::BadClaim("institution"));
            }
        }
        Ok(claims)
    }
}

/// Signs an HS256 token, as `iin-api token` does.
pub fn issue_hs256(
    settings: &AuthSettings,
    subject: &str,
    institution: &str,
    roles: &[Role],
    ttl: Duration,
) -> Result<String, TokenError> {
    let secret = settings
        .jwt_secret
        .as_ref()
        .ok_or(TokenError::NotConfigured)?;
    let now = jsonwebtoken::get_current_timestamp();
    let claims = Claims {
        sub: subject.to_owned(),
        institution: institution.to_owned(),
        roles: roles.iter().map(|r| r.as_str().to_owned()).collect(),
        affiliations: Vec::new(),
        exp: now + ttl.as_secs(),
        iat: Some(now),
        nbf: Some(now),
        iss: settings.issuer.clone(),
        aud: settings.audience.clone(),
    };
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .map_err(TokenError::Invalid)
}

/// Signs an HS256 token for a person with roles at several institutions (the `affiliations`
/// claim, with no top-level `institution`), as `iin-api token --affiliation` does.
pub fn issue_hs256_affiliations(
    settings: &AuthSettings,
    subject: &str,
    affiliations: &[(String, Vec<Role>)],
    ttl: Duration,
) -> Result<String, TokenError> {
    let secret = settings
        .jwt_secret
        .as_ref()
        .ok_or(TokenError::NotConfigured)?;
    let now = jsonwebtoken::get_current_timestamp();
    let claims = Claims {
        sub: subject.to_owned(),
        institution: String::new(),
        roles: Vec::new(),
        affiliations: affiliations
            .iter()
            .map(|(institution, roles)| AffiliationClaim {
                institution: institution.clone(),
                roles: roles.iter().map(|r| r.as_str().to_owned()).collect(),
            })
            .collect(),
        exp: now + ttl.as_secs(),
        iat: Some(now),
        nbf: Some(now),
        iss: settings.issuer.clone(),
        aud: settings.audience.clone(),
    };
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .map_err(TokenError::Invalid)
}

#[cfg(test)]
mod tests {
    #[test]
    fn affiliations_merge_with_the_top_level_institution() {
        let claims: super::Claims = serde_json::from_value(serde_json::json!({
            "sub": "u", "exp": 1, "institution": "aist", "roles": ["member"],
            "affiliations": [
                { "institution": "jetro", "roles": ["org_admin", "nonsense"] },
                { "institution": "aist", "roles": ["registrar"] },
            ],
        }))
        .unwrap();
        use super::Role::*;
        assert_eq!(
            claims.affiliations(),
            vec![
                ("aist".to_owned(), vec![Member, Registrar]),
                ("jetro".to_owned(), vec![OrgAdmin]),
            ]
        );
    }

    #[test]
    fn token_types_compare_as_media_types() {
        for (typ, normal) in [
            ("JWT", "jwt"),
            ("application/at+JWT", "at+jwt"),
            (" at+jwt ", "at+jwt"),
            ("text/jwt", "text/jwt"),
        ] {
            assert_eq!(super::media_type(typ), normal);
        }
    }
}
