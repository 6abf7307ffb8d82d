//! Automatic persisted queries are stored only once admitted: the transport's checks passed
//! (tokens, aliases, input), and, here, the document parsed and passed the schema's validation
//! with its depth and complexity limits. A request that registers a new hash carries a
//! [`Pending`] in its data; [`StoreAdmitted`] stores it when validation succeeds, whatever the
//! transport.

use std::sync::Arc;

use async_graphql::{
    ServerError, ValidationResult,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextValidation},
};
use sea_orm::DatabaseConnection;

use crate::{domain::persisted, http::metrics::ApqMetrics};

/// A document to store under its hash once it has passed validation.
pub struct Pending {
    pub hash: String,
    pub query: String,
    pub bounds: persisted::Bounds,
    pub metrics: ApqMetrics,
}

/// Registers the extension on a schema.
pub struct StoreAdmitted;

impl ExtensionFactory for StoreAdmitted {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(StoreAdmittedExtension)
    }
}

struct StoreAdmittedExtension;

#[async_graphql::async_trait::async_trait]
impl Extension for StoreAdmittedExtension {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        if let (Some(pending), Some(db)) = (
            ctx.data_opt::<Pending>(),
            ctx.data_opt::<DatabaseConnection>(),
        ) {
            // A store that fails costs the client one more round trip with the document: the
            // operation itself runs.
            match persisted::store(db, &pending.hash, &pending.query, pending.bounds).await {
                Ok(usage) => pending.metrics.record(&usage),
                Err(err) => tracing::warn!(error = %err, "persisted query not stored"),
            }
        }
        Ok(result)
    }
}
