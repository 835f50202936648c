//! Statistics: quads per graph, records per type, and the state of the index.

use crate::error::Result;
use crate::graph::Graph;
use oxigraph::model::Term;
use oxigraph::sparql::QueryResults;
use std::fmt;

/// A summary of what the graph holds.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    /// All quads in the store.
    pub quads: usize,
    /// Quads per named graph (`default` for the default graph), largest first.
    pub graphs: Vec<(String, usize)>,
    /// Distinct subjects per `rdf:type`, largest first.
    pub types: Vec<(String, usize)>,
    /// Records in the full-text index.
    pub indexed_records: u64,
    /// The last committed write.
    pub write_sequence: u64,
    /// The write the index mirrors; equal to `write_sequence` when they agree.
    pub index_sequence: Option<u64>,
}

impl Graph {
    /// Counts quads per graph and subjects per type.
    pub fn stats(&self) -> Result<Stats> {
        let graphs = self.pairs(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o BIND(\"default\" AS ?g) } } GROUP BY ?g ORDER BY DESC(?n) ?g",
            false,
        )?;
        let types = self.pairs(
            "SELECT ?t (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?t } GROUP BY ?t ORDER BY DESC(?n) ?t",
            true,
        )?;
        Ok(Stats {
            quads: self.store().len()?,
            graphs,
            types,
            indexed_records: self.indexed_records(),
            write_sequence: self.write_sequence()?,
            index_sequence: self.index_sequence()?,
        })
    }

    fn pairs(&self, sparql: &str, union: bool) -> Result<Vec<(String, usize)>> {
        let options = crate::QueryOptions {
            union_default_graph: union,
            ..crate::QueryOptions::default()
        };
        let mut pairs = Vec::new();
        if let QueryResults::Solutions(solutions) = self.query(sparql, &options)? {
            for solution in solutions {
                let solution = solution?;
                let key = match solution.get(0) {
                    Some(Term::NamedNode(node)) => node.as_str().to_owned(),
                    Some(Term::Literal(literal)) => literal.value().to_owned(),
                    Some(other) => other.to_string(),
                    None => continue,
                };
                let count = match solution.get(1) {
                    Some(Term::Literal(literal)) => literal.value().parse().unwrap_or(0),
                    _ => 0,
                };
                pairs.push((key, count));
            }
        }
        Ok(pairs)
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "quads            {}", self.quads)?;
        writeln!(f, "indexed records  {}", self.indexed_records)?;
        let agree = if self.index_sequence == Some(self.write_sequence) {
            "index in step"
        } else {
            "index behind: run `civicgraph reindex`"
        };
        writeln!(f, "write sequence   {} ({agree})", self.write_sequence)?;
        writeln!(f, "\nquads per graph")?;
        for (graph, count) in &self.graphs {
            writeln!(f, "  {count:>10}  {graph}")?;
        }
        writeln!(f, "\nsubjects per type")?;
        for (class, count) in &self.types {
            writeln!(f, "  {count:>10}  {class}")?;
        }
        Ok(())
    }
}
