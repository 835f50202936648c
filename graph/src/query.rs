//! SPARQL query evaluation over the graph, with the dataset rules the server and CLI share.

use crate::error::Result;
use crate::graph::Graph;
use crate::query_guard::GuardedQuery;
use oxigraph::model::{GraphName, NamedNode, NamedOrBlankNode};
use oxigraph::sparql::{
    CancellationToken, DefaultServiceHandler, QueryDatasetSpecification, QueryEvaluationError, QueryResults,
    QuerySolutionIter, SparqlEvaluator,
};
use std::sync::Arc;

/// A handler for `SERVICE` calls to other endpoints (the server's allow-listed federation).
pub type RemoteServices = Arc<dyn DefaultServiceHandler<Error = QueryEvaluationError>>;

/// Lets a shared handler be given to each query's evaluator.
struct Shared(RemoteServices);

impl DefaultServiceHandler for Shared {
    type Error = QueryEvaluationError;

    fn handle(
        &self,
        service_name: &NamedNode,
        pattern: &spargebra::algebra::GraphPattern,
        base_iri: Option<&oxiri::Iri<String>>,
    ) -> std::result::Result<QuerySolutionIter<'static>, Self::Error> {
        self.0.handle(service_name, pattern, base_iri)
    }
}

/// How a query's dataset is formed and when it is cancelled.
#[derive(Clone)]
pub struct QueryOptions {
    /// When the query names no dataset, its default graph is the union of all graphs
    /// (true, the default, as on data.europa.eu) or the store's own default graph.
    pub union_default_graph: bool,
    /// The protocol's `default-graph-uri` values; they override `FROM`.
    pub default_graph_uris: Vec<NamedNode>,
    /// The protocol's `named-graph-uri` values; they override `FROM NAMED`.
    pub named_graph_uris: Vec<NamedNode>,
    /// Cancels evaluation (and iteration of the results) when triggered: used for timeouts.
    pub cancellation: Option<CancellationToken>,
    /// The base IRI for relative IRIs in the query.
    pub base_iri: Option<String>,
    /// Who answers `SERVICE` calls to other endpoints; without one they are refused.
    pub remote_services: Option<RemoteServices>,
    /// The longest string an expression may build; a longer one is an evaluation error
    /// (see [`crate::query_guard`]).
    pub max_string_bytes: usize,
}

/// The default of [`QueryOptions::max_string_bytes`]: 4 MiB.
pub const DEFAULT_MAX_STRING_BYTES: usize = 4 << 20;

impl std::fmt::Debug for QueryOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueryOptions")
            .field("union_default_graph", &self.union_default_graph)
            .field("default_graph_uris", &self.default_graph_uris)
            .field("named_graph_uris", &self.named_graph_uris)
            .field("cancellable", &self.cancellation.is_some())
            .field("base_iri", &self.base_iri)
            .field("remote_services", &self.remote_services.is_some())
            .field("max_string_bytes", &self.max_string_bytes)
            .finish()
    }
}

impl Default for QueryOptions {
    fn default() -> Self {
        Self {
            union_default_graph: true,
            default_graph_uris: Vec::new(),
            named_graph_uris: Vec::new(),
            cancellation: None,
            base_iri: None,
            remote_services: None,
            max_string_bytes: DEFAULT_MAX_STRING_BYTES,
        }
    }
}

impl Graph {
    /// Parses and runs a SPARQL query. The results borrow nothing, so they can be streamed
    /// from another thread.
    pub fn query(&self, sparql: &str, options: &QueryOptions) -> Result<QueryResults<'static>> {
        let guarded = GuardedQuery::parse(sparql, options.base_iri.as_deref())?;
        self.query_guarded(&guarded, options)
    }

    /// Runs a query already checked and rewritten by [`GuardedQuery::parse`].
    pub fn query_guarded(
        &self,
        guarded: &GuardedQuery,
        options: &QueryOptions,
    ) -> Result<QueryResults<'static>> {
        let mut evaluator = guarded.register(SparqlEvaluator::new(), options.max_string_bytes);
        evaluator = evaluator.with_service_handler(
            civicgraph_vocab::cgs::SERVICE,
            crate::search::service::SearchService::new(self.index.clone()),
        );
        if let Some(token) = &options.cancellation {
            evaluator = evaluator.with_cancellation_token(token.clone());
        }
        if let Some(remote) = &options.remote_services {
            evaluator = evaluator.with_default_service_handler(Shared(remote.clone()));
        }
        let mut prepared = evaluator.for_query(guarded.query.clone());
        let dataset = prepared.dataset_mut();
        if !set_protocol_dataset(dataset, &options.default_graph_uris, &options.named_graph_uris)
            && options.union_default_graph
            && dataset.is_default_dataset()
        {
            dataset.set_default_graph_as_union();
        }
        Ok(prepared.on_store(self.store()).execute()?)
    }
}

/// A SPARQL parser resolving relative IRIs against `base`, shared by queries and updates;
/// `what` names the base in the error when it is no IRI.
pub(crate) fn parser_with_base(base: Option<&str>, what: &'static str) -> Result<spargebra::SparqlParser> {
    let parser = spargebra::SparqlParser::new();
    match base {
        None => Ok(parser),
        Some(base) => parser
            .with_base_iri(base)
            .map_err(|e| crate::GraphError::InvalidIri {
                what,
                value: base.to_owned(),
                message: e.to_string(),
            }),
    }
}

/// Applies the protocol's `default-graph-uri`/`named-graph-uri` (or `using-…` for updates),
/// which override the dataset the query names; returns whether any were given.
pub(crate) fn set_protocol_dataset(
    dataset: &mut QueryDatasetSpecification,
    default_graphs: &[NamedNode],
    named_graphs: &[NamedNode],
) -> bool {
    if default_graphs.is_empty() && named_graphs.is_empty() {
        return false;
    }
    dataset.set_default_graph(default_graphs.iter().cloned().map(GraphName::from).collect());
    dataset.set_available_named_graphs(named_graphs.iter().cloned().map(NamedOrBlankNode::from).collect());
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Layout, WriteBatch};
    use oxigraph::io::RdfFormat;

    fn count(graph: &Graph, sparql: &str, options: &QueryOptions) -> usize {
        match graph.query(sparql, options).unwrap() {
            QueryResults::Solutions(solutions) => solutions.count(),
            _ => panic!("not a SELECT"),
        }
    }

    #[test]
    fn default_graph_is_the_union_unless_configured_or_named() {
        let graph = Graph::in_memory(Layout::default()).unwrap();
        let g = graph.layout().source_graph("a").unwrap();
        let ttl = "<http://ex/s> <http://ex/p> <http://ex/o> .";
        graph
            .commit(
                WriteBatch::replace_graph_from_reader(&g, RdfFormat::Turtle, ttl.as_bytes(), "a.ttl")
                    .unwrap(),
            )
            .unwrap();
        let q = "SELECT * { ?s <http://ex/p> ?o }";
        assert_eq!(count(&graph, q, &QueryOptions::default()), 1);
        let own_default = QueryOptions {
            union_default_graph: false,
            ..QueryOptions::default()
        };
        assert_eq!(count(&graph, q, &own_default), 0);
        let from = format!("SELECT * FROM <{}> {{ ?s <http://ex/p> ?o }}", g.as_str());
        assert_eq!(count(&graph, &from, &own_default), 1);
        let by_protocol = QueryOptions {
            default_graph_uris: vec![NamedNode::new("http://ex/none").unwrap()],
            ..QueryOptions::default()
        };
        assert_eq!(count(&graph, q, &by_protocol), 0);
    }
}
