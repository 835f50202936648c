//! The search index as a test compares it.

use civicgraph_graph::{Graph, SearchPage, SearchRequest, SearchSort};

/// Every record the index holds, with every facet, in key order; scores left out (they
/// depend on the index's segments, not on what it holds).
pub fn everything(graph: &Graph) -> SearchPage {
    let mut page = graph
        .search_page(&SearchRequest {
            sort: SearchSort::Key,
            limit: 10_000,
            facets: true,
            facet_size: 10_000,
            ..SearchRequest::default()
        })
        .expect("search");
    for hit in &mut page.hits {
        hit.score = 0.0;
    }
    page.hits.sort_by(|a, b| a.iri.cmp(&b.iri));
    page
}
