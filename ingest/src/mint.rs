//! Minting stable IRIs for harvested records and nodes that have none.
//!
//! Blank nodes are renamed by every parser on every read, so a store that kept them would
//! see every re-harvest as all-new. Instead each blank node gets an IRI under
//! `{base}source/{source-id}/` that depends only on what the source says:
//!
//! - a record (dataset, data service, catalogue, case study) with a `dct:identifier` gets
//!   `{prefix}{kind}/{identifier}`;
//! - any other blank node gets `{prefix}{property}/{hash}`, where the hash covers the name of
//!   the node that points at it, the property, and the node's own content (recursively).
//!
//! So a re-harvest of the same content mints the same IRIs, and only a node whose content
//! changed gets a new one. Source IRIs are never rewritten.

use civicgraph_graph::Layout;
use civicgraph_vocab::{cg, ext::dcat, ext::dct};
use oxigraph::model::vocab::rdf;
use oxigraph::model::{BlankNode, NamedNode, NamedOrBlankNode, Term, Triple};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

use crate::error::{IngestError, Result};

/// How deep content hashing follows chains of blank nodes. Deeper nodes (long RDF lists)
/// are hashed by their own triples only: still deterministic, just less specific.
const MAX_DEPTH: usize = 48;

/// Mints IRIs for one source.
#[derive(Debug, Clone)]
pub struct Minter {
    prefix: String,
}

impl Minter {
    /// A minter for source `source_id` under the layout's base IRI.
    pub fn new(layout: &Layout, source_id: &str) -> Result<Self> {
        layout
            .source_graph(source_id)
            .map_err(|e| IngestError::Config(e.to_string()))?;
        Ok(Self {
            prefix: format!("{}source/{source_id}/", layout.base()),
        })
    }

    /// The IRI of a record of `kind` (`dataset`, `service`, `catalogue`, `case-study`, ...)
    /// known in its source by `key`. Keys longer than 120 bytes are hashed.
    pub fn record(&self, kind: &str, key: &str) -> NamedNode {
        let key = key.trim();
        let encoded = if key.len() > 120 {
            hex(&Sha256::digest(key.as_bytes()))[..32].to_owned()
        } else {
            encode(key)
        };
        NamedNode::new_unchecked(format!("{}{kind}/{encoded}", self.prefix))
    }

    /// The IRI of a node reached from `parent` by `property`, with content hash `content`.
    pub fn node(&self, parent: &str, property: &str, content: &str) -> NamedNode {
        let mut hasher = Sha256::new();
        hasher.update(parent.as_bytes());
        hasher.update([0]);
        hasher.update(property.as_bytes());
        hasher.update([0]);
        hasher.update(content.as_bytes());
        let local = local_name(property);
        NamedNode::new_unchecked(format!(
            "{}{}/{}",
            self.prefix,
            if local.is_empty() { "node" } else { local },
            &hex(&hasher.finalize())[..24]
        ))
    }

    /// Replaces every blank node in `triples` by a minted IRI.
    pub fn skolemize(&self, triples: Vec<Triple>) -> Vec<Triple> {
        let mut outgoing: HashMap<BlankNode, Vec<(String, Term)>> = HashMap::new();
        let mut incoming: HashMap<BlankNode, Vec<(NamedOrBlankNode, String)>> = HashMap::new();
        for t in &triples {
            if let NamedOrBlankNode::BlankNode(b) = &t.subject {
                outgoing
                    .entry(b.clone())
                    .or_default()
                    .push((t.predicate.as_str().to_owned(), t.object.clone()));
            }
            if let Term::BlankNode(b) = &t.object {
                incoming
                    .entry(b.clone())
                    .or_default()
                    .push((t.subject.clone(), t.predicate.as_str().to_owned()));
            }
        }
        if outgoing.is_empty() && incoming.is_empty() {
            return triples;
        }
        let mut naming = Naming {
            minter: self,
            outgoing: &outgoing,
            incoming: &incoming,
            hashes: HashMap::new(),
            names: HashMap::new(),
        };
        let mut rename = |b: &BlankNode| naming.name(b, 0);
        triples
            .into_iter()
            .map(|t| {
                let subject = match t.subject {
                    NamedOrBlankNode::BlankNode(b) => NamedOrBlankNode::NamedNode(rename(&b)),
                    other => other,
                };
                let object = match t.object {
                    Term::BlankNode(b) => Term::NamedNode(rename(&b)),
                    other => other,
                };
                Triple::new(subject, t.predicate, object)
            })
            .collect()
    }
}

struct Naming<'a> {
    minter: &'a Minter,
    outgoing: &'a HashMap<BlankNode, Vec<(String, Term)>>,
    incoming: &'a HashMap<BlankNode, Vec<(NamedOrBlankNode, String)>>,
    hashes: HashMap<BlankNode, String>,
    names: HashMap<BlankNode, NamedNode>,
}

impl Naming<'_> {
    /// A hash of the node's triples, following blank objects up to `MAX_DEPTH`.
    fn content_hash(&mut self, node: &BlankNode, depth: usize) -> String {
        if let Some(hash) = self.hashes.get(node) {
            return hash.clone();
        }
        let mut lines: Vec<String> = Vec::new();
        for (p, o) in self.outgoing.get(node).map(Vec::as_slice).unwrap_or_default() {
            let object = match o {
                Term::BlankNode(b) if depth < MAX_DEPTH && b != node => {
                    format!("_:{}", self.content_hash(b, depth + 1))
                }
                Term::BlankNode(_) => "_:".to_owned(),
                other => other.to_string(),
            };
            lines.push(format!("{p} {object}"));
        }
        lines.sort_unstable();
        let mut hasher = Sha256::new();
        for line in &lines {
            hasher.update(line.as_bytes());
            hasher.update(b"\n");
        }
        let hash = hex(&hasher.finalize());
        if depth < MAX_DEPTH {
            self.hashes.insert(node.clone(), hash.clone());
        }
        hash
    }

    fn name(&mut self, node: &BlankNode, depth: usize) -> NamedNode {
        if let Some(name) = self.names.get(node) {
            return name.clone();
        }
        let name = self.mint(node, depth);
        self.names.insert(node.clone(), name.clone());
        name
    }

    fn mint(&mut self, node: &BlankNode, depth: usize) -> NamedNode {
        let own = self.outgoing.get(node).map(Vec::as_slice).unwrap_or_default();
        // A record with an identifier is named by it.
        let kind = own.iter().find_map(|(p, o)| match o {
            Term::NamedNode(class) if p == rdf::TYPE.as_str() => record_kind(class.as_str()),
            _ => None,
        });
        if let Some(kind) = kind {
            let mut identifiers: Vec<&str> = own
                .iter()
                .filter(|(p, _)| p == dct::IDENTIFIER.as_str())
                .filter_map(|(_, o)| match o {
                    Term::Literal(l) if !l.value().trim().is_empty() => Some(l.value()),
                    _ => None,
                })
                .collect();
            identifiers.sort_unstable();
            if let Some(identifier) = identifiers.first() {
                return self.minter.record(kind, identifier);
            }
        }
        let content = self.content_hash(node, 0);
        // Otherwise by the node pointing at it (the smallest, for determinism) and the property.
        let mut parents: Vec<(String, &NamedOrBlankNode, &str)> = self
            .incoming
            .get(node)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter(|(s, _)| !matches!(s, NamedOrBlankNode::BlankNode(b) if b == node))
            .map(|(s, p)| {
                let key = match s {
                    NamedOrBlankNode::NamedNode(n) => n.as_str().to_owned(),
                    NamedOrBlankNode::BlankNode(_) => String::from("\u{10FFFF}"),
                };
                (key, s, p.as_str())
            })
            .collect();
        parents.sort_by(|a, b| (a.0.as_str(), a.2).cmp(&(b.0.as_str(), b.2)));
        match parents.first() {
            Some((_, NamedOrBlankNode::NamedNode(parent), property)) => {
                self.minter.node(parent.as_str(), property, &content)
            }
            Some((_, NamedOrBlankNode::BlankNode(parent), property)) if depth < MAX_DEPTH => {
                let (parent, property) = (parent.clone(), property.to_string());
                let parent_name = self.name(&parent, depth + 1);
                self.minter.node(parent_name.as_str(), &property, &content)
            }
            _ => self.minter.node("", kind.unwrap_or("node"), &content),
        }
    }
}

/// The kind segment for a record class, or `None` for other classes.
pub fn record_kind(class: &str) -> Option<&'static str> {
    match class {
        c if c == dcat::DATASET.as_str() => Some("dataset"),
        c if c == dcat::DATASET_SERIES.as_str() => Some("dataset"),
        c if c == dcat::DATA_SERVICE.as_str() => Some("service"),
        c if c == dcat::CATALOG.as_str() => Some("catalogue"),
        c if c == cg::CASE_STUDY.as_str() => Some("case-study"),
        _ => None,
    }
}

/// The local name of an IRI: after the last `#` or `/`.
fn local_name(iri: &str) -> &str {
    let local = iri.rsplit(['#', '/']).next().unwrap_or_default();
    if local
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        local
    } else {
        ""
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The triples sorted as N-Triples lines, for hashing and golden files.
pub fn canonical_lines(triples: &[Triple]) -> Vec<String> {
    let mut lines: Vec<String> = triples.iter().map(|t| format!("{t} .")).collect();
    lines.sort_unstable();
    lines.dedup();
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rdf_document::parse;
    use oxigraph::io::RdfFormat;

    const DOC: &str = r#"
        @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
        @prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
        <https://cat.example.org/d/1> a dcat:Dataset ; dct:title "Air quality" ;
            dcat:contactPoint [ a vcard:Kind ; vcard:fn "Env team" ] ;
            dct:temporal [ dcat:startDate "2020-01-01" ] .
        [] a dcat:Dataset ; dct:identifier "bins-42" ; dct:title "Bin days" ;
            dcat:distribution [ dcat:accessURL <https://x.org/bins.csv> ] .
    "#;

    fn minted(text: &str) -> Vec<String> {
        minted_from(parse(text.as_bytes(), RdfFormat::Turtle, None, "doc").unwrap())
    }

    fn minted_from(triples: Vec<Triple>) -> Vec<String> {
        let minter = Minter::new(&Layout::default(), "northmoor").unwrap();
        canonical_lines(&minter.skolemize(triples))
    }

    #[test]
    fn reharvesting_the_same_content_mints_the_same_iris() {
        let first = minted(DOC);
        assert_eq!(first, minted(DOC));
        assert!(first.iter().all(|l| !l.contains("_:")), "{first:#?}");
        // Reading the document in another order (with other blank node labels) does not
        // change the names either.
        let mut reversed = parse(DOC.as_bytes(), RdfFormat::Turtle, None, "doc").unwrap();
        reversed.reverse();
        assert_eq!(first, minted_from(reversed));
    }

    #[test]
    fn records_are_named_by_identifier_and_nodes_by_parent_and_property() {
        let lines = minted(DOC).join("\n");
        assert!(
            lines.contains(
                "<http://localhost:7878/id/source/northmoor/dataset/bins-42> <http://purl.org/dc/terms/title>"
            ),
            "{lines}"
        );
        assert!(lines.contains("/source/northmoor/contactPoint/"), "{lines}");
        assert!(lines.contains("/source/northmoor/distribution/"), "{lines}");
        // Source IRIs are kept.
        assert!(lines.contains("<https://cat.example.org/d/1>"), "{lines}");
    }

    #[test]
    fn changed_content_changes_only_that_node() {
        let before = minted(DOC);
        let after = minted(&DOC.replace("Env team", "Environment team"));
        let changed: Vec<_> = after.iter().filter(|l| !before.contains(l)).collect();
        assert!(changed.iter().all(|l| l.contains("contactPoint")), "{changed:#?}");
    }

    #[test]
    fn cycles_and_long_lists_of_blank_nodes_terminate() {
        let cycle = "_:a <http://p> _:b . _:b <http://p> _:a .";
        assert_eq!(minted(cycle).len(), 2);
        let mut list = String::new();
        for i in 0..5000 {
            list.push_str(&format!("_:n{i} <http://next> _:n{} .\n", i + 1));
        }
        assert_eq!(minted(&list).len(), 5000);
    }

    #[test]
    fn keys_are_encoded_into_safe_iris() {
        let minter = Minter::new(&Layout::default(), "s").unwrap();
        let iri = minter.record("dataset", "a b/<c>");
        assert_eq!(
            iri.as_str(),
            "http://localhost:7878/id/source/s/dataset/a%20b%2F%3Cc%3E"
        );
        assert!(minter.record("dataset", &"x".repeat(500)).as_str().len() < 100);
    }
}
