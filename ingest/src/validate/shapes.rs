//! Reading SHACL shapes from Turtle into the constraints the validator checks.
//!
//! The subset of SHACL Core that the DCAT-AP 3.0.1 shapes (and most application profiles)
//! use: node shapes with `sh:targetClass`, property shapes with a predicate or
//! `sh:inversePath` path, and the constraints `sh:minCount`, `sh:maxCount`, `sh:class`,
//! `sh:datatype`, `sh:nodeKind`, `sh:node` and `sh:or`, with `sh:severity`, `sh:name` and
//! `sh:message`. A shape using a constraint outside this subset is reported when loaded,
//! so the validator never silently checks less than the shapes say.

use crate::error::{IngestError, Result};
use oxigraph::io::RdfFormat;
use oxigraph::model::vocab::rdf;
use oxigraph::model::{Graph, NamedNode, NamedNodeRef, NamedOrBlankNode, NamedOrBlankNodeRef, Term, TermRef};
use std::collections::HashMap;

const SH: &str = "http://www.w3.org/ns/shacl#";

fn sh(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{SH}{local}"))
}

/// How bad breaking a shape is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// `sh:Info`.
    Info,
    /// `sh:Warning`.
    Warning,
    /// `sh:Violation`, the default.
    Violation,
}

impl Severity {
    /// The SHACL IRI of this severity.
    pub fn iri(self) -> &'static str {
        match self {
            Self::Info => "http://www.w3.org/ns/shacl#Info",
            Self::Warning => "http://www.w3.org/ns/shacl#Warning",
            Self::Violation => "http://www.w3.org/ns/shacl#Violation",
        }
    }
}

/// `sh:nodeKind` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// `sh:IRI`.
    Iri,
    /// `sh:BlankNode`.
    BlankNode,
    /// `sh:Literal`.
    Literal,
    /// `sh:BlankNodeOrIRI`.
    BlankNodeOrIri,
    /// `sh:BlankNodeOrLiteral`.
    BlankNodeOrLiteral,
    /// `sh:IRIOrLiteral`.
    IriOrLiteral,
}

impl NodeKind {
    fn from_iri(iri: &str) -> Option<Self> {
        Some(match iri.strip_prefix(SH)? {
            "IRI" => Self::Iri,
            "BlankNode" => Self::BlankNode,
            "Literal" => Self::Literal,
            "BlankNodeOrIRI" => Self::BlankNodeOrIri,
            "BlankNodeOrLiteral" => Self::BlankNodeOrLiteral,
            "IRIOrLiteral" => Self::IriOrLiteral,
            _ => return None,
        })
    }

    /// Whether `term` is of this kind.
    pub fn matches(self, term: TermRef<'_>) -> bool {
        let (iri, blank, literal) = (
            matches!(term, TermRef::NamedNode(_)),
            matches!(term, TermRef::BlankNode(_)),
            matches!(term, TermRef::Literal(_)),
        );
        match self {
            Self::Iri => iri,
            Self::BlankNode => blank,
            Self::Literal => literal,
            Self::BlankNodeOrIri => blank || iri,
            Self::BlankNodeOrLiteral => blank || literal,
            Self::IriOrLiteral => iri || literal,
        }
    }

    /// The SHACL name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Iri => "sh:IRI",
            Self::BlankNode => "sh:BlankNode",
            Self::Literal => "sh:Literal",
            Self::BlankNodeOrIri => "sh:BlankNodeOrIRI",
            Self::BlankNodeOrLiteral => "sh:BlankNodeOrLiteral",
            Self::IriOrLiteral => "sh:IRIOrLiteral",
        }
    }
}

/// One constraint on the value nodes of a shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Constraint {
    /// `sh:minCount`.
    MinCount(usize),
    /// `sh:maxCount`.
    MaxCount(usize),
    /// `sh:class`.
    Class(NamedNode),
    /// `sh:datatype`.
    Datatype(NamedNode),
    /// `sh:nodeKind`.
    NodeKind(NodeKind),
    /// `sh:node`: an index into [`Shapes::shapes`].
    Node(usize),
    /// `sh:or`: indexes into [`Shapes::shapes`].
    Or(Vec<usize>),
}

/// A property path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Path {
    /// A predicate.
    Predicate(NamedNode),
    /// `[ sh:inversePath p ]`.
    Inverse(NamedNode),
}

impl Path {
    /// The path as SPARQL would write it.
    pub fn display(&self) -> String {
        match self {
            Self::Predicate(p) => p.to_string(),
            Self::Inverse(p) => format!("^{p}"),
        }
    }
}

/// A node shape or a property shape.
#[derive(Debug, Clone)]
pub struct Shape {
    /// The shape's IRI, or a label for a blank shape.
    pub id: String,
    /// Classes whose instances are the focus nodes.
    pub target_classes: Vec<NamedNode>,
    /// `None` for node shapes.
    pub path: Option<Path>,
    /// `sh:name`, for messages.
    pub name: Option<String>,
    /// `sh:message`, if the shape gives one.
    pub message: Option<String>,
    /// `sh:severity`.
    pub severity: Severity,
    /// The shape's own constraints.
    pub constraints: Vec<Constraint>,
    /// Property shapes (indexes into [`Shapes::shapes`]).
    pub properties: Vec<usize>,
    /// `sh:deactivated true`.
    pub deactivated: bool,
}

/// A set of shapes, ready to validate with.
#[derive(Debug, Clone, Default)]
pub struct Shapes {
    /// Every shape; targets are on node shapes.
    pub shapes: Vec<Shape>,
}

/// The constraint properties this validator understands (besides the descriptive ones).
const UNDERSTOOD: &[&str] = &[
    "targetClass",
    "property",
    "path",
    "minCount",
    "maxCount",
    "class",
    "datatype",
    "nodeKind",
    "node",
    "or",
    "severity",
    "name",
    "description",
    "message",
    "closed",
    "deactivated",
    "order",
    "group",
    "defaultValue",
    "shape",
];

impl Shapes {
    /// Reads shapes from Turtle. `name` is used in errors. A shape with a constraint this
    /// validator does not implement is an error, naming the shape and the constraint.
    pub fn from_turtle(text: &str, name: &str) -> Result<Self> {
        let triples = crate::rdf_document::parse(text.as_bytes(), RdfFormat::Turtle, None, name)?;
        let graph: Graph = triples.into_iter().collect();
        Self::from_graph(&graph, name)
    }

    fn from_graph(graph: &Graph, name: &str) -> Result<Self> {
        for t in graph.iter() {
            if let Some(local) = t.predicate.as_str().strip_prefix(SH)
                && !UNDERSTOOD.contains(&local)
            {
                return Err(IngestError::shape(
                    name,
                    format!(
                        "shape {} uses sh:{local}, which civicgraph's validator does not implement",
                        t.subject
                    ),
                ));
            }
        }
        let mut builder = Builder {
            graph,
            name,
            ids: HashMap::new(),
            shapes: Vec::new(),
        };
        // Roots: shapes with targets. Everything else is reached from them.
        let target = sh("targetClass");
        let mut roots: Vec<NamedOrBlankNode> = graph
            .triples_for_predicate(&target)
            .map(|t| t.subject.into_owned())
            .collect();
        roots.sort_by_key(ToString::to_string);
        roots.dedup();
        for root in roots {
            builder.shape(root.as_ref(), 0)?;
        }
        Ok(Self {
            shapes: builder.shapes,
        })
    }

    /// The DCAT-AP 3.0.1 shapes compiled into civicgraph (SEMIC's `dcat-ap-SHACL.ttl`).
    pub fn dcat_ap_3() -> &'static Shapes {
        static SHAPES: std::sync::OnceLock<Shapes> = std::sync::OnceLock::new();
        SHAPES.get_or_init(|| {
            Self::from_turtle(DCAT_AP_3_SHAPES, "dcat-ap-SHACL.ttl")
                .expect("the bundled DCAT-AP shapes are checked by a unit test")
        })
    }
}

/// SEMIC's DCAT-AP 3.0.1 shapes, unchanged (see `ingest/shapes/README.md`).
pub const DCAT_AP_3_SHAPES: &str = include_str!("../../shapes/dcat-ap-SHACL.ttl");

struct Builder<'a> {
    graph: &'a Graph,
    name: &'a str,
    ids: HashMap<String, usize>,
    shapes: Vec<Shape>,
}

impl Builder<'_> {
    fn objects(&self, subject: NamedOrBlankNodeRef<'_>, local: &str) -> Vec<Term> {
        let predicate = sh(local);
        self.graph
            .objects_for_subject_predicate(subject, &predicate)
            .map(TermRef::into_owned)
            .collect()
    }

    fn error(&self, shape: NamedOrBlankNodeRef<'_>, message: &str) -> IngestError {
        IngestError::shape(self.name, format!("shape {shape}: {message}"))
    }

    fn shape(&mut self, node: NamedOrBlankNodeRef<'_>, depth: usize) -> Result<usize> {
        let key = node.to_string();
        if let Some(&index) = self.ids.get(&key) {
            return Ok(index);
        }
        if depth > 32 {
            return Err(self.error(node, "shapes nest deeper than 32"));
        }
        let index = self.shapes.len();
        self.ids.insert(key.clone(), index);
        self.shapes.push(Shape {
            id: key,
            target_classes: Vec::new(),
            path: None,
            name: None,
            message: None,
            severity: Severity::Violation,
            constraints: Vec::new(),
            properties: Vec::new(),
            deactivated: false,
        });
        let iri = |t: &Term| match t {
            Term::NamedNode(n) => Some(n.clone()),
            _ => None,
        };
        let count = |t: &Term| match t {
            Term::Literal(l) => l.value().parse::<usize>().ok(),
            _ => None,
        };
        let mut shape = self.shapes[index].clone();
        shape.target_classes = self.objects(node, "targetClass").iter().filter_map(iri).collect();
        shape.name = self.objects(node, "name").iter().find_map(|t| match t {
            Term::Literal(l) if l.language().is_none_or(|l| l == "en") => Some(l.value().to_owned()),
            _ => None,
        });
        shape.message = self.objects(node, "message").iter().find_map(|t| match t {
            Term::Literal(l) => Some(l.value().to_owned()),
            _ => None,
        });
        if let Some(severity) = self.objects(node, "severity").first() {
            shape.severity = match severity {
                Term::NamedNode(n) if n.as_str() == Severity::Info.iri() => Severity::Info,
                Term::NamedNode(n) if n.as_str() == Severity::Warning.iri() => Severity::Warning,
                _ => Severity::Violation,
            };
        }
        shape.deactivated = self
            .objects(node, "deactivated")
            .iter()
            .any(|t| matches!(t, Term::Literal(l) if l.value() == "true"));
        if let Some(path) = self.objects(node, "path").first() {
            shape.path = Some(match path {
                Term::NamedNode(p) => Path::Predicate(p.clone()),
                Term::BlankNode(b) => {
                    let inverse = self.objects(b.into(), "inversePath");
                    match inverse.first() {
                        Some(Term::NamedNode(p)) => Path::Inverse(p.clone()),
                        _ => return Err(self.error(node, "only predicate and inverse paths are supported")),
                    }
                }
                _ => return Err(self.error(node, "a path must be an IRI or a blank node")),
            });
        }
        for t in self.objects(node, "minCount") {
            shape.constraints.push(Constraint::MinCount(
                count(&t).ok_or_else(|| self.error(node, "sh:minCount is not a count"))?,
            ));
        }
        for t in self.objects(node, "maxCount") {
            shape.constraints.push(Constraint::MaxCount(
                count(&t).ok_or_else(|| self.error(node, "sh:maxCount is not a count"))?,
            ));
        }
        for t in self.objects(node, "class") {
            shape.constraints.push(Constraint::Class(
                iri(&t).ok_or_else(|| self.error(node, "sh:class is not an IRI"))?,
            ));
        }
        for t in self.objects(node, "datatype") {
            shape.constraints.push(Constraint::Datatype(
                iri(&t).ok_or_else(|| self.error(node, "sh:datatype is not an IRI"))?,
            ));
        }
        for t in self.objects(node, "nodeKind") {
            let kind = iri(&t)
                .and_then(|n| NodeKind::from_iri(n.as_str()))
                .ok_or_else(|| self.error(node, "unknown sh:nodeKind"))?;
            shape.constraints.push(Constraint::NodeKind(kind));
        }
        for t in self.objects(node, "node") {
            let target = as_subject(&t).ok_or_else(|| self.error(node, "sh:node is a literal"))?;
            let child = self.shape(target.as_ref(), depth + 1)?;
            shape.constraints.push(Constraint::Node(child));
        }
        for t in self.objects(node, "or") {
            let mut members = Vec::new();
            for member in self
                .list(&t)
                .ok_or_else(|| self.error(node, "sh:or is not a list"))?
            {
                let member =
                    as_subject(&member).ok_or_else(|| self.error(node, "sh:or member is a literal"))?;
                members.push(self.shape(member.as_ref(), depth + 1)?);
            }
            shape.constraints.push(Constraint::Or(members));
        }
        for t in self.objects(node, "property") {
            let target = as_subject(&t).ok_or_else(|| self.error(node, "sh:property is a literal"))?;
            let child = self.shape(target.as_ref(), depth + 1)?;
            shape.properties.push(child);
        }
        self.shapes[index] = shape;
        Ok(index)
    }

    /// The members of an RDF list.
    fn list(&self, head: &Term) -> Option<Vec<Term>> {
        let mut out = Vec::new();
        let mut node = head.clone();
        for _ in 0..10_000 {
            match &node {
                Term::NamedNode(n) if n.as_ref() == rdf::NIL => return Some(out),
                Term::NamedNode(_) | Term::BlankNode(_) => {
                    let subject = as_subject(&node)?;
                    let first = self.graph.object_for_subject_predicate(&subject, rdf::FIRST)?;
                    out.push(first.into_owned());
                    node = self
                        .graph
                        .object_for_subject_predicate(&subject, rdf::REST)?
                        .into_owned();
                }
                Term::Literal(_) => return None,
            }
        }
        None
    }
}

fn as_subject(term: &Term) -> Option<NamedOrBlankNode> {
    match term {
        Term::NamedNode(n) => Some(n.clone().into()),
        Term::BlankNode(b) => Some(b.clone().into()),
        Term::Literal(_) => None,
    }
}

/// A compact name for an IRI in messages (`dct:title` rather than the full IRI).
pub fn compact(iri: NamedNodeRef<'_>) -> String {
    for (prefix, namespace) in [
        ("dct", "http://purl.org/dc/terms/"),
        ("dcat", "http://www.w3.org/ns/dcat#"),
        ("foaf", "http://xmlns.com/foaf/0.1/"),
        ("adms", "http://www.w3.org/ns/adms#"),
        ("vcard", "http://www.w3.org/2006/vcard/ns#"),
        ("xsd", "http://www.w3.org/2001/XMLSchema#"),
        ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
        ("skos", "http://www.w3.org/2004/02/skos/core#"),
        ("prov", "http://www.w3.org/ns/prov#"),
        ("spdx", "http://spdx.org/rdf/terms#"),
        ("locn", "http://www.w3.org/ns/locn#"),
        ("odrl", "http://www.w3.org/ns/odrl/2/"),
        ("dcatap", "http://data.europa.eu/r5r/"),
    ] {
        if let Some(local) = iri.as_str().strip_prefix(namespace) {
            return format!("{prefix}:{local}");
        }
    }
    iri.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_dcat_ap_shapes_load_with_every_constraint_understood() {
        let shapes = Shapes::dcat_ap_3();
        let dataset = shapes
            .shapes
            .iter()
            .find(|s| {
                s.target_classes
                    .iter()
                    .any(|c| c.as_str() == "http://www.w3.org/ns/dcat#Dataset")
            })
            .expect("a dataset shape");
        let mandatory: Vec<String> = dataset
            .properties
            .iter()
            .map(|&i| &shapes.shapes[i])
            .filter(|p| {
                p.constraints
                    .iter()
                    .any(|c| matches!(c, Constraint::MinCount(n) if *n > 0))
            })
            .map(|p| p.path.as_ref().unwrap().display())
            .collect();
        assert!(
            mandatory.contains(&"<http://purl.org/dc/terms/title>".to_owned()),
            "{mandatory:?}"
        );
        assert!(
            mandatory.contains(&"<http://purl.org/dc/terms/description>".to_owned()),
            "{mandatory:?}"
        );
        assert!(shapes.shapes.len() > 300, "{}", shapes.shapes.len());
    }

    #[test]
    fn unsupported_constraints_are_refused_by_name() {
        let text = "@prefix sh: <http://www.w3.org/ns/shacl#> . <http://s> sh:targetClass <http://C> ; sh:pattern \"x\" .";
        let error = Shapes::from_turtle(text, "mine.ttl").unwrap_err().to_string();
        assert!(
            error.contains("mine.ttl") && error.contains("sh:pattern"),
            "{error}"
        );
    }
}
