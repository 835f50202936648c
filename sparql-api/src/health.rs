//! `/healthz`: whether the graph answers, and whether the index is in step with the store.

use crate::AppState;
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

/// Reports the write sequence of the store and of the index.
pub async fn get(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let graph = state.graph.clone();
    let (store, index) = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
        Ok((graph.write_sequence()?, graph.index_sequence()?))
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))??;
    Ok(Json(json!({
        "status": "ok",
        "write_sequence": store,
        "index_in_step": index == Some(store),
    })))
}
