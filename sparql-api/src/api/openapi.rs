//! `GET /api/openapi.json`: the OpenAPI 3 document, generated from the handlers' and
//! responses' types, so it cannot drift from the code.

use axum::Json;
use utoipa::OpenApi;

/// The API's OpenAPI description.
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "civicgraph API",
        description = "Search datasets and case studies of open data in public services by ODI pattern, theme and place; read records with their links; see the patterns and the harvested sources. SPARQL is at /sparql.",
    ),
    paths(
        super::search::get,
        super::records::get,
        super::patterns::get,
        super::sources::sources,
        super::sources::harvests,
    ),
    tags(
        (name = "search", description = "Full-text search with facets"),
        (name = "records", description = "Datasets, case studies and catalogues"),
        (name = "patterns", description = "The three ODI patterns"),
        (name = "sources", description = "Harvested sources and their runs"),
    )
)]
pub struct ApiDoc;

/// The document.
pub async fn get() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
