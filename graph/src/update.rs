//! SPARQL Update through the one write path.

use crate::error::{GraphError, Result};
use crate::graph::{Graph, WriteReport};
use crate::query::set_protocol_dataset;
use civicgraph_vocab::ext::dcat;
use oxigraph::model::{NamedNode, NamedOrBlankNode, Term};
use std::collections::HashSet;

/// The protocol's dataset for an update (`using-graph-uri`, `using-named-graph-uri`).
#[derive(Debug, Clone, Default)]
pub struct UpdateOptions {
    /// Overrides `USING`: the graphs the `WHERE` clause sees as its default graph.
    pub using_graph_uris: Vec<NamedNode>,
    /// Overrides `USING NAMED`.
    pub using_named_graph_uris: Vec<NamedNode>,
    /// The base IRI for relative IRIs in the update.
    pub base_iri: Option<String>,
}

impl Graph {
    /// Runs a SPARQL 1.1 update in one transaction with the write-sequence bump, so it is
    /// all-or-nothing like any other write, then rebuilds the index.
    ///
    /// An update's effect on records is only known once it has run, so the whole index is
    /// rebuilt rather than patched: correct, and cheap at catalogue scale, but linear in
    /// the number of records.
    pub fn update(&self, sparql: &str, options: &UpdateOptions) -> Result<WriteReport> {
        crate::query_guard::check_nesting(sparql, "update")?;
        // Parsed once: what it touches, whether it names its own dataset and what runs are
        // all read from the one parse (a large INSERT DATA is most of an update's cost).
        let mut parsed = parse(sparql, options.base_iri.as_deref())?;
        // `LOAD SILENT` always succeeds (SPARQL 1.1 Update, 3.1.4): civicgraph never
        // fetches a client's URL (see `inspect`), so that operation fails, silently, and
        // the others run. A `LOAD` without SILENT is refused whole.
        parsed.operations.retain(|operation| {
            let silent = matches!(
                operation,
                spargebra::GraphUpdateOperation::Load { silent: true, .. }
            );
            if silent {
                tracing::info!("LOAD SILENT skipped: remote data is read only by harvests");
            }
            !silent
        });
        if (!options.using_graph_uris.is_empty() || !options.using_named_graph_uris.is_empty())
            && parsed.operations.iter().any(|op| {
                matches!(
                    op,
                    spargebra::GraphUpdateOperation::DeleteInsert { using: Some(_), .. }
                )
            })
        {
            return Err(GraphError::UsingTwice);
        }
        let touched = inspect(&parsed)?;
        let mut prepared = oxigraph::sparql::SparqlEvaluator::new().for_update(parsed);
        for dataset in prepared.using_datasets_mut() {
            set_protocol_dataset(
                dataset,
                &options.using_graph_uris,
                &options.using_named_graph_uris,
            );
        }
        let _guard = self.write_lock.lock().unwrap_or_else(|e| e.into_inner());
        let previous = self.write_sequence()?;
        let sequence = previous + 1;
        self.sequence.begin(sequence)?;
        let written = self
            .store
            .start_transaction()
            .map_err(GraphError::from)
            .and_then(|mut transaction| {
                prepared.on_transaction(&mut transaction).execute()?;
                transaction.commit()?;
                Ok(())
            });
        if let Err(error) = written {
            // Nothing was written: the sequence stays where it was.
            self.sequence.finish(previous)?;
            return Err(error);
        }
        // Which graphs an update changed is only known by running it.
        self.counts.invalidate_all();
        self.note_source_write();
        // `INSERT DATA` and `DELETE DATA` name every subject they touch, so only those
        // records are re-read into the index; any other update may touch anything.
        let reindexed = self
            .follow_or_defer(touched.is_none(), touched.unwrap_or_default(), sequence)
            .map_err(|source| GraphError::IndexBehind {
                sequence,
                source: Box::new(source),
            })?;
        self.sequence.finish(sequence)?;
        tracing::info!(sequence, records = reindexed, "update committed");
        Ok(WriteReport {
            sequence,
            reindexed,
            ..WriteReport::default()
        })
    }
}

/// `sparql` parsed, relative IRIs resolved against `base`.
fn parse(sparql: &str, base: Option<&str>) -> Result<spargebra::Update> {
    crate::query::parser_with_base(base, "update base IRI")?
        .parse_update(sparql)
        .map_err(|e| crate::sparql_syntax(sparql, &e))
}

/// Refuses `LOAD` (without SILENT), and returns the subjects an update of only `INSERT DATA` and
/// `DELETE DATA` touches (with the datasets a `dcat:dataset` triple names), or `None` when
/// the update may touch anything.
///
/// `LOAD` would fetch a URL chosen by the client: the store reads remote data only through
/// harvests of configured sources (which have their own limits), so it is refused before
/// anything is fetched.
fn inspect(update: &spargebra::Update) -> Result<Option<HashSet<NamedNode>>> {
    let mut touched = Some(HashSet::new());
    let note = |touched: &mut Option<HashSet<NamedNode>>,
                subject: Option<&NamedNode>,
                predicate: &NamedNode,
                object: Option<&NamedNode>| {
        if let Some(set) = touched {
            if let Some(subject) = subject {
                set.insert(subject.clone());
            }
            if predicate.as_ref() == dcat::DATASET_PROPERTY
                && let Some(object) = object
            {
                set.insert(object.clone());
            }
        }
    };
    for operation in &update.operations {
        match operation {
            spargebra::GraphUpdateOperation::Load { source, .. } => {
                return Err(GraphError::Refused(format!(
                    "LOAD <{}> is not offered: civicgraph fetches remote data only by harvesting configured sources; \
                     add a [[source]] and run `civicgraph harvest`, or send the data to /store",
                    source.as_str()
                )));
            }
            spargebra::GraphUpdateOperation::InsertData { data } => {
                for quad in data {
                    let subject = match &quad.subject {
                        NamedOrBlankNode::NamedNode(n) => n,
                        // A blank node belongs to a record we cannot name here.
                        NamedOrBlankNode::BlankNode(_) => {
                            touched = None;
                            continue;
                        }
                    };
                    let object = match &quad.object {
                        Term::NamedNode(n) => Some(n),
                        _ => None,
                    };
                    note(&mut touched, Some(subject), &quad.predicate, object);
                }
            }
            spargebra::GraphUpdateOperation::DeleteData { data } => {
                for quad in data {
                    let object = match &quad.object {
                        spargebra::term::GroundTerm::NamedNode(n) => Some(n),
                        _ => None,
                    };
                    note(&mut touched, Some(&quad.subject), &quad.predicate, object);
                }
            }
            _ => touched = None,
        }
    }
    Ok(touched)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Layout;

    #[test]
    fn updates_reach_the_index_and_failed_updates_write_nothing() {
        let graph = Graph::in_memory(Layout::default()).unwrap();
        let insert = "INSERT DATA { GRAPH <http://ex/g> { <http://ex/d> a <http://www.w3.org/ns/dcat#Dataset> ; <http://purl.org/dc/terms/title> \"Allotments\" } }";
        let report = graph.update(insert, &UpdateOptions::default()).unwrap();
        assert_eq!(report.sequence, 1);
        assert_eq!(graph.search("allotments", 5).unwrap()[0].iri, "http://ex/d");
        assert_eq!(graph.index_sequence().unwrap(), Some(1));

        let before = graph.store().len().unwrap();
        // Adding to a graph that already exists fails half-way: nothing may stick.
        let failing = "INSERT DATA { GRAPH <http://ex/h> { <http://ex/a> <http://ex/b> <http://ex/c> } } ; CREATE GRAPH <http://ex/g>";
        assert!(graph.update(failing, &UpdateOptions::default()).is_err());
        assert_eq!(graph.store().len().unwrap(), before);
        assert_eq!(graph.write_sequence().unwrap(), 1);

        graph
            .update(
                "DELETE WHERE { GRAPH ?g { <http://ex/d> ?p ?o } }",
                &UpdateOptions::default(),
            )
            .unwrap();
        assert!(graph.search("allotments", 5).unwrap().is_empty());
    }

    #[test]
    fn the_protocols_dataset_and_the_updates_own_using_are_not_both_taken() {
        let graph = Graph::in_memory(Layout::default()).unwrap();
        let options = UpdateOptions {
            using_graph_uris: vec![NamedNode::new("http://ex/g").unwrap()],
            ..UpdateOptions::default()
        };
        let own = "INSERT { GRAPH <http://ex/h> { ?s ?p ?o } } USING <http://ex/g> WHERE { ?s ?p ?o }";
        let error = graph.update(own, &options).unwrap_err();
        assert!(matches!(error, GraphError::UsingTwice), "{error}");
        let load = "LOAD <http://ex/remote.ttl>";
        let error = graph.update(load, &UpdateOptions::default()).unwrap_err();
        assert!(matches!(error, GraphError::Refused(_)), "{error}");
        assert_eq!(graph.write_sequence().unwrap(), 0);
    }

    #[test]
    fn a_silent_load_fetches_nothing_and_the_rest_of_the_update_runs() {
        let graph = Graph::in_memory(Layout::default()).unwrap();
        let update = "LOAD SILENT <http://127.0.0.1:1/remote.ttl> INTO GRAPH <http://ex/g> ;
                      INSERT DATA { <http://ex/a> <http://ex/p> 1 }";
        graph.update(update, &UpdateOptions::default()).unwrap();
        let quads: Vec<_> = graph
            .store()
            .iter()
            .collect::<std::result::Result<_, _>>()
            .unwrap();
        assert_eq!(quads.len(), 1, "{quads:?}");
        assert_eq!(quads[0].subject.to_string(), "<http://ex/a>");
    }

    #[test]
    fn syntax_errors_are_reported() {
        let graph = Graph::in_memory(Layout::default()).unwrap();
        let error = graph
            .update("INSERT DATA { <a> }", &UpdateOptions::default())
            .unwrap_err();
        assert!(matches!(error, GraphError::QuerySyntax(_)), "{error}");
    }
}
