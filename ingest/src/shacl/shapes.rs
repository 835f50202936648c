//! Reading SHACL shapes from Turtle into the constraints the validator checks.
//!
//! The part of SHACL Core that DCAT-AP 3.0.1, DCAT-AP.de, DCAT-AP-NO, the HVD shapes and
//! GeoDCAT-AP use:
//! - targets: `sh:targetClass`, `sh:targetNode`, `sh:targetObjectsOf`, `sh:targetSubjectsOf`;
//! - paths: a predicate, `sh:inversePath`, `sh:alternativePath` and sequences;
//! - constraints: `sh:minCount`, `sh:maxCount`, `sh:class`, `sh:datatype`, `sh:nodeKind`,
//!   `sh:node`, `sh:and`, `sh:or`, `sh:not`, `sh:xone`, `sh:hasValue`, `sh:in`,
//!   `sh:pattern` (with `sh:flags`), `sh:minLength`, `sh:maxLength`, `sh:languageIn`,
//!   `sh:uniqueLang`, `sh:qualifiedValueShape` (with `sh:qualifiedMinCount` and
//!   `sh:qualifiedMaxCount`) and `sh:closed` (with `sh:ignoredProperties`);
//! - with `sh:severity`, `sh:name`, `sh:message` and `sh:deactivated`.
//!
//! A shape using a SHACL term outside this part (`sh:sparql`, `sh:lessThan`, …) is an error
//! when loaded, so the validator never silently checks less than the shapes say. A term in
//! the `sh:` namespace that SHACL does not define (a misspelling such as
//! `sh:targetSubjectOf`, which real profiles contain) means nothing to any SHACL validator:
//! it is ignored, and named in [`Shapes::warnings`].

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
    /// `sh:and`: indexes into [`Shapes::shapes`].
    And(Vec<usize>),
    /// `sh:not`: an index into [`Shapes::shapes`].
    Not(usize),
    /// `sh:xone`: indexes into [`Shapes::shapes`].
    Xone(Vec<usize>),
    /// `sh:hasValue`.
    HasValue(Term),
    /// `sh:in`.
    In(Vec<Term>),
    /// `sh:pattern`, with its `sh:flags`.
    Pattern(Pattern),
    /// `sh:minLength`.
    MinLength(usize),
    /// `sh:maxLength`.
    MaxLength(usize),
    /// `sh:languageIn`: language ranges, lower-cased.
    LanguageIn(Vec<String>),
    /// `sh:uniqueLang true`.
    UniqueLang,
    /// `sh:qualifiedValueShape` with `sh:qualifiedMinCount` and `sh:qualifiedMaxCount`.
    Qualified {
        /// An index into [`Shapes::shapes`].
        shape: usize,
        /// At least this many values conform to it.
        min: Option<usize>,
        /// At most this many values conform to it.
        max: Option<usize>,
    },
    /// `sh:closed true`: the only properties allowed are the paths of the shape's own
    /// property shapes, the `sh:ignoredProperties` and these (all of them, listed).
    Closed(Vec<NamedNode>),
}

/// A compiled `sh:pattern`: SHACL's patterns are XPath regular expressions, which the
/// `regex` crate reads for the patterns profiles use (classes, anchors, repetition).
#[derive(Debug, Clone)]
pub struct Pattern {
    /// The expression as the shape gives it.
    pub source: String,
    /// The shape's `sh:flags`.
    pub flags: String,
    regex: regex::Regex,
}

impl Pattern {
    fn new(source: &str, flags: &str) -> std::result::Result<Self, String> {
        let mut builder = regex::RegexBuilder::new(source);
        for flag in flags.chars() {
            match flag {
                'i' => builder.case_insensitive(true),
                'm' => builder.multi_line(true),
                's' => builder.dot_matches_new_line(true),
                'x' => builder.ignore_whitespace(true),
                'q' => return Err("sh:flags \"q\" is not supported".to_owned()),
                other => return Err(format!("unknown sh:flags letter {other:?}")),
            };
        }
        let regex = builder
            .size_limit(1 << 20)
            .build()
            .map_err(|e| format!("sh:pattern {source:?}: {e}"))?;
        Ok(Self {
            source: source.to_owned(),
            flags: flags.to_owned(),
            regex,
        })
    }

    /// Whether `text` matches (anywhere, as XPath's `matches` does).
    pub fn matches(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source && self.flags == other.flags
    }
}

impl Eq for Pattern {}

/// A property path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Path {
    /// A predicate.
    Predicate(NamedNode),
    /// `[ sh:inversePath p ]`.
    Inverse(NamedNode),
    /// `[ sh:alternativePath (p q …) ]`: the values of any.
    Alternative(Vec<Path>),
    /// `(p q …)`: the values of `q` of the values of `p`, and so on.
    Sequence(Vec<Path>),
}

impl Path {
    /// The path as SPARQL would write it.
    pub fn display(&self) -> String {
        match self {
            Self::Predicate(p) => p.to_string(),
            Self::Inverse(p) => format!("^{p}"),
            Self::Alternative(paths) => {
                format!(
                    "({})",
                    paths.iter().map(Self::display).collect::<Vec<_>>().join("|")
                )
            }
            Self::Sequence(paths) => {
                format!(
                    "({})",
                    paths.iter().map(Self::display).collect::<Vec<_>>().join("/")
                )
            }
        }
    }

    /// The path as SPARQL would write it, with prefixed names.
    pub fn compact(&self) -> String {
        match self {
            Self::Predicate(p) => compact(p.as_ref()),
            Self::Inverse(p) => format!("^{}", compact(p.as_ref())),
            Self::Alternative(paths) => {
                format!(
                    "({})",
                    paths.iter().map(Self::compact).collect::<Vec<_>>().join("|")
                )
            }
            Self::Sequence(paths) => {
                format!(
                    "({})",
                    paths.iter().map(Self::compact).collect::<Vec<_>>().join("/")
                )
            }
        }
    }
}

/// A node shape or a property shape.
#[derive(Debug, Clone)]
pub struct Shape {
    /// The shape's IRI, or a label for a blank shape.
    pub id: String,
    /// Classes whose instances are focus nodes.
    pub target_classes: Vec<NamedNode>,
    /// Nodes that are focus nodes (`sh:targetNode`).
    pub target_nodes: Vec<Term>,
    /// Predicates whose objects are focus nodes (`sh:targetObjectsOf`).
    pub target_objects_of: Vec<NamedNode>,
    /// Predicates whose subjects are focus nodes (`sh:targetSubjectsOf`).
    pub target_subjects_of: Vec<NamedNode>,
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

impl Shape {
    /// Whether the shape selects focus nodes of its own.
    pub fn has_targets(&self) -> bool {
        !(self.target_classes.is_empty()
            && self.target_nodes.is_empty()
            && self.target_objects_of.is_empty()
            && self.target_subjects_of.is_empty())
    }
}

/// A set of shapes, ready to validate with.
#[derive(Debug, Clone, Default)]
pub struct Shapes {
    /// Every shape; targets are on node shapes.
    pub shapes: Vec<Shape>,
    /// What was ignored on loading: `sh:` terms SHACL does not define.
    pub warnings: Vec<String>,
}

/// The SHACL properties this validator understands (the descriptive ones included).
const UNDERSTOOD: &[&str] = &[
    "targetClass",
    "targetNode",
    "targetObjectsOf",
    "targetSubjectsOf",
    "property",
    "path",
    "inversePath",
    "alternativePath",
    "minCount",
    "maxCount",
    "class",
    "datatype",
    "nodeKind",
    "node",
    "or",
    "and",
    "not",
    "xone",
    "hasValue",
    "in",
    "pattern",
    "flags",
    "minLength",
    "maxLength",
    "languageIn",
    "uniqueLang",
    "qualifiedValueShape",
    "qualifiedMinCount",
    "qualifiedMaxCount",
    "closed",
    "ignoredProperties",
    "severity",
    "name",
    "description",
    "message",
    "deactivated",
    "order",
    "group",
    "defaultValue",
    "shape",
];

/// Every other property SHACL (Core, SPARQL and the Advanced Features note) defines: a
/// shape using one of these asks for a check this validator does not make.
const NOT_IMPLEMENTED: &[&str] = &[
    "target",
    "zeroOrMorePath",
    "oneOrMorePath",
    "zeroOrOnePath",
    "minExclusive",
    "minInclusive",
    "maxExclusive",
    "maxInclusive",
    "equals",
    "disjoint",
    "lessThan",
    "lessThanOrEquals",
    "qualifiedValueShapesDisjoint",
    "sparql",
    "select",
    "ask",
    "prefixes",
    "declare",
    "rule",
    "condition",
    "expression",
    "js",
    "jsFunctionName",
    "jsLibrary",
    "parameter",
    "validator",
    "nodeValidator",
    "propertyValidator",
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
        let mut warnings = std::collections::BTreeSet::new();
        for t in graph.iter() {
            let Some(local) = t.predicate.as_str().strip_prefix(SH) else {
                continue;
            };
            if UNDERSTOOD.contains(&local) {
                continue;
            }
            if NOT_IMPLEMENTED.contains(&local) {
                return Err(IngestError::shape(
                    name,
                    format!(
                        "shape {} uses sh:{local}, which civicgraph's validator does not implement",
                        t.subject
                    ),
                ));
            }
            warnings.insert(format!(
                "{name}: shape {} uses sh:{local}, which SHACL does not define; ignored",
                t.subject
            ));
        }
        let mut builder = Builder {
            graph,
            name,
            ids: HashMap::new(),
            shapes: Vec::new(),
        };
        // Roots: shapes with targets. Everything else is reached from them.
        let mut roots: Vec<NamedOrBlankNode> =
            ["targetClass", "targetNode", "targetObjectsOf", "targetSubjectsOf"]
                .into_iter()
                .flat_map(|local| {
                    let predicate = sh(local);
                    graph
                        .triples_for_predicate(&predicate)
                        .map(|t| t.subject.into_owned())
                        .collect::<Vec<_>>()
                })
                .collect();
        roots.sort_by_key(ToString::to_string);
        roots.dedup();
        for root in roots {
            builder.shape(root.as_ref(), 0)?;
        }
        Ok(Self {
            shapes: builder.shapes,
            warnings: warnings.into_iter().collect(),
        })
    }

    /// Reads several Turtle documents as one shapes graph (an application profile made of
    /// files, as DCAT-AP.de is). Each is `(text, name)`.
    pub fn from_turtle_files(files: &[(&str, &str)], name: &str) -> Result<Self> {
        let mut graph = Graph::new();
        for (text, file) in files {
            for t in crate::rdf_document::parse(text.as_bytes(), RdfFormat::Turtle, None, file)? {
                graph.insert(&t);
            }
        }
        Self::from_graph(&graph, name)
    }

    /// The DCAT-AP 3.0.1 shapes compiled into civicgraph (SEMIC's `dcat-ap-SHACL.ttl`).
    pub fn dcat_ap_3() -> &'static Shapes {
        static SHAPES: std::sync::OnceLock<Shapes> = std::sync::OnceLock::new();
        SHAPES.get_or_init(|| {
            Self::from_turtle(DCAT_AP_3_SHAPES, "dcat-ap-SHACL.ttl")
                .expect("the bundled DCAT-AP shapes are checked by a unit test")
        })
    }

    /// The shapes of a validation profile: a bundled one by name ([`PROFILES`]), or a
    /// Turtle file of shapes by its path (a name with a `/` or ending in `.ttl`).
    pub fn profile(name: &str) -> Result<std::sync::Arc<Shapes>> {
        use std::sync::{Arc, Mutex, OnceLock};
        static LOADED: OnceLock<Mutex<HashMap<String, Arc<Shapes>>>> = OnceLock::new();
        if name.contains('/') || name.ends_with(".ttl") {
            let text = std::fs::read_to_string(name).map_err(|source| IngestError::Io {
                document: name.to_owned(),
                source,
            })?;
            return Ok(Arc::new(Self::from_turtle(&text, name)?));
        }
        let files = PROFILES
            .iter()
            .find(|profile| profile.name == name)
            .map(Profile::all_files)
            .ok_or_else(|| {
                IngestError::Config(format!(
                    "validation profile {name:?} is not one of {}, nor a .ttl file of shapes",
                    PROFILES.iter().map(|p| p.name).collect::<Vec<_>>().join(", ")
                ))
            })?;
        let mut loaded = LOADED
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(shapes) = loaded.get(name) {
            return Ok(shapes.clone());
        }
        let shapes = Arc::new(Self::from_turtle_files(&files, name)?);
        loaded.insert(name.to_owned(), shapes.clone());
        Ok(shapes)
    }
}

/// A validation profile compiled into civicgraph.
#[derive(Debug, Clone, Copy)]
pub struct Profile {
    /// The name a source's `profile` gives.
    pub name: &'static str,
    /// What it is.
    pub title: &'static str,
    /// The profile whose files come first (an extension adds its own shapes to them).
    pub extends: Option<&'static str>,
    /// Its own files, each `(text, file name)`; with those of the profile it extends, read
    /// as one shapes graph.
    pub files: &'static [(&'static str, &'static str)],
}

impl Profile {
    /// Every file of the profile: those of the profile it extends, then its own.
    pub fn all_files(&self) -> Vec<(&'static str, &'static str)> {
        let mut files = self
            .extends
            .and_then(|base| PROFILES.iter().find(|p| p.name == base))
            .map(Profile::all_files)
            .unwrap_or_default();
        files.extend_from_slice(self.files);
        files
    }
}

/// The validation profiles compiled into civicgraph, all unchanged from their publishers
/// (`ingest/shapes/README.md`).
/// `owl:imports` in them (code lists, vocabularies) are not followed: nothing is fetched.
pub const PROFILES: &[Profile] = &[
    Profile {
        name: "dcat-ap-3",
        title: "DCAT-AP 3.0.1 (SEMIC), the default",
        extends: None,
        files: &[(DCAT_AP_3_SHAPES, "dcat-ap-SHACL.ttl")],
    },
    Profile {
        name: "dcat-ap-hvd",
        title: "DCAT-AP 3.0.1 with the High-Value Datasets shapes (SEMIC DCAT-AP HVD 3.0.0)",
        extends: Some("dcat-ap-3"),
        files: &[(include_str!("../../shapes/hvd/hvd-SHACL.ttl"), "hvd-SHACL.ttl")],
    },
    Profile {
        name: "dcat-ap-de",
        title: "DCAT-AP.de 2.0, Spezifikation (GovData)",
        extends: None,
        files: &[
            (
                include_str!("../../shapes/dcat-ap-de/dcat-ap_2.1.1_shacl_shapes.ttl"),
                "dcat-ap_2.1.1_shacl_shapes.ttl",
            ),
            (
                include_str!("../../shapes/dcat-ap-de/dcat-ap-spec-german-messages.ttl"),
                "dcat-ap-spec-german-messages.ttl",
            ),
            (
                include_str!("../../shapes/dcat-ap-de/dcat-ap-spec-german-additions.ttl"),
                "dcat-ap-spec-german-additions.ttl",
            ),
            (
                include_str!("../../shapes/dcat-ap-de/dcat-ap-de-deprecated.ttl"),
                "dcat-ap-de-deprecated.ttl",
            ),
        ],
    },
    Profile {
        name: "dcat-ap-de-conventions",
        title: "DCAT-AP.de 2.0, Spezifikation + Konventionen (GovData)",
        extends: Some("dcat-ap-de"),
        files: &[(
            include_str!("../../shapes/dcat-ap-de/dcat-ap-konventionen.ttl"),
            "dcat-ap-konventionen.ttl",
        )],
    },
    Profile {
        name: "dcat-ap-no",
        title: "DCAT-AP-NO 2.0 (Digitaliseringsdirektoratet)",
        extends: None,
        files: &[(
            include_str!("../../shapes/dcat-ap-no/DCAT-AP-NO-shacl_shapes_2.00.ttl"),
            "DCAT-AP-NO-shacl_shapes_2.00.ttl",
        )],
    },
];

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
            target_nodes: Vec::new(),
            target_objects_of: Vec::new(),
            target_subjects_of: Vec::new(),
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
        shape.target_nodes = self.objects(node, "targetNode");
        shape.target_objects_of = self
            .objects(node, "targetObjectsOf")
            .iter()
            .filter_map(iri)
            .collect();
        shape.target_subjects_of = self
            .objects(node, "targetSubjectsOf")
            .iter()
            .filter_map(iri)
            .collect();
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
            shape.path = Some(self.path(node, path, 0)?);
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
        for (local, make) in [
            ("or", Constraint::Or as fn(Vec<usize>) -> Constraint),
            ("and", Constraint::And),
            ("xone", Constraint::Xone),
        ] {
            for t in self.objects(node, local) {
                let mut members = Vec::new();
                for member in self
                    .list(&t)
                    .ok_or_else(|| self.error(node, &format!("sh:{local} is not a list")))?
                {
                    let member = as_subject(&member)
                        .ok_or_else(|| self.error(node, &format!("sh:{local} member is a literal")))?;
                    members.push(self.shape(member.as_ref(), depth + 1)?);
                }
                shape.constraints.push(make(members));
            }
        }
        for t in self.objects(node, "not") {
            let target = as_subject(&t).ok_or_else(|| self.error(node, "sh:not is a literal"))?;
            let child = self.shape(target.as_ref(), depth + 1)?;
            shape.constraints.push(Constraint::Not(child));
        }
        for t in self.objects(node, "hasValue") {
            shape.constraints.push(Constraint::HasValue(t));
        }
        for t in self.objects(node, "in") {
            let members = self
                .list(&t)
                .ok_or_else(|| self.error(node, "sh:in is not a list"))?;
            shape.constraints.push(Constraint::In(members));
        }
        let flags = self
            .objects(node, "flags")
            .first()
            .map(|t| match t {
                Term::Literal(l) => l.value().to_owned(),
                _ => String::new(),
            })
            .unwrap_or_default();
        for t in self.objects(node, "pattern") {
            let Term::Literal(source) = &t else {
                return Err(self.error(node, "sh:pattern is not a literal"));
            };
            let pattern = Pattern::new(source.value(), &flags).map_err(|e| self.error(node, &e))?;
            shape.constraints.push(Constraint::Pattern(pattern));
        }
        for t in self.objects(node, "minLength") {
            shape.constraints.push(Constraint::MinLength(
                count(&t).ok_or_else(|| self.error(node, "sh:minLength is not a count"))?,
            ));
        }
        for t in self.objects(node, "maxLength") {
            shape.constraints.push(Constraint::MaxLength(
                count(&t).ok_or_else(|| self.error(node, "sh:maxLength is not a count"))?,
            ));
        }
        for t in self.objects(node, "languageIn") {
            let ranges = self
                .list(&t)
                .ok_or_else(|| self.error(node, "sh:languageIn is not a list"))?
                .into_iter()
                .map(|r| match r {
                    Term::Literal(l) => Ok(l.value().to_ascii_lowercase()),
                    _ => Err(self.error(node, "sh:languageIn member is not a literal")),
                })
                .collect::<Result<Vec<_>>>()?;
            shape.constraints.push(Constraint::LanguageIn(ranges));
        }
        if self
            .objects(node, "uniqueLang")
            .iter()
            .any(|t| matches!(t, Term::Literal(l) if l.value() == "true"))
        {
            shape.constraints.push(Constraint::UniqueLang);
        }
        for t in self.objects(node, "qualifiedValueShape") {
            let target =
                as_subject(&t).ok_or_else(|| self.error(node, "sh:qualifiedValueShape is a literal"))?;
            let child = self.shape(target.as_ref(), depth + 1)?;
            let bound = |local: &str| -> Result<Option<usize>> {
                self.objects(node, local)
                    .first()
                    .map(|t| count(t).ok_or_else(|| self.error(node, &format!("sh:{local} is not a count"))))
                    .transpose()
            };
            shape.constraints.push(Constraint::Qualified {
                shape: child,
                min: bound("qualifiedMinCount")?,
                max: bound("qualifiedMaxCount")?,
            });
        }
        for t in self.objects(node, "property") {
            let target = as_subject(&t).ok_or_else(|| self.error(node, "sh:property is a literal"))?;
            let child = self.shape(target.as_ref(), depth + 1)?;
            shape.properties.push(child);
        }
        if self
            .objects(node, "closed")
            .iter()
            .any(|t| matches!(t, Term::Literal(l) if l.value() == "true"))
        {
            let mut allowed: Vec<NamedNode> = Vec::new();
            for t in self.objects(node, "ignoredProperties") {
                for member in self
                    .list(&t)
                    .ok_or_else(|| self.error(node, "sh:ignoredProperties is not a list"))?
                {
                    allowed.push(
                        iri(&member).ok_or_else(|| self.error(node, "an ignored property is not an IRI"))?,
                    );
                }
            }
            for &property in &shape.properties {
                if let Some(Path::Predicate(p)) = &self.shapes[property].path {
                    allowed.push(p.clone());
                }
            }
            allowed.sort();
            allowed.dedup();
            shape.constraints.push(Constraint::Closed(allowed));
        }
        self.shapes[index] = shape;
        Ok(index)
    }

    /// A property path: an IRI, or a blank node with `sh:inversePath` or
    /// `sh:alternativePath`, or a list (a sequence).
    fn path(&self, shape: NamedOrBlankNodeRef<'_>, term: &Term, depth: usize) -> Result<Path> {
        if depth > 8 {
            return Err(self.error(shape, "a path nests deeper than 8"));
        }
        match term {
            Term::NamedNode(p) => Ok(Path::Predicate(p.clone())),
            Term::BlankNode(b) => {
                if let Some(Term::NamedNode(p)) = self.objects(b.into(), "inversePath").first() {
                    return Ok(Path::Inverse(p.clone()));
                }
                if let Some(list) = self.objects(b.into(), "alternativePath").first() {
                    let members = self
                        .list(list)
                        .ok_or_else(|| self.error(shape, "sh:alternativePath is not a list"))?;
                    return Ok(Path::Alternative(
                        members
                            .iter()
                            .map(|m| self.path(shape, m, depth + 1))
                            .collect::<Result<_>>()?,
                    ));
                }
                match self.list(term) {
                    Some(members) if members.len() > 1 => Ok(Path::Sequence(
                        members
                            .iter()
                            .map(|m| self.path(shape, m, depth + 1))
                            .collect::<Result<_>>()?,
                    )),
                    _ => Err(self.error(
                        shape,
                        "a path must be an IRI, an inverse or alternative path, or a sequence (an inverse of a complex path is not supported)",
                    )),
                }
            }
            Term::Literal(_) => Err(self.error(shape, "a path must be an IRI or a blank node")),
        }
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
    fn unsupported_constraints_are_refused_by_name_and_misspellings_ignored_with_a_warning() {
        let text = "@prefix sh: <http://www.w3.org/ns/shacl#> . <http://s> sh:targetClass <http://C> ; sh:lessThan <http://p> .";
        let error = Shapes::from_turtle(text, "mine.ttl").unwrap_err().to_string();
        assert!(
            error.contains("mine.ttl") && error.contains("sh:lessThan"),
            "{error}"
        );
        let text = "@prefix sh: <http://www.w3.org/ns/shacl#> . <http://s> sh:targetClass <http://C> ; sh:targetSubjectOf <http://p> .";
        let shapes = Shapes::from_turtle(text, "mine.ttl").unwrap();
        assert_eq!(shapes.warnings.len(), 1, "{:?}", shapes.warnings);
        assert!(shapes.warnings[0].contains("sh:targetSubjectOf"));
    }

    #[test]
    fn every_bundled_profile_loads() {
        for Profile { name, .. } in PROFILES {
            let shapes = Shapes::profile(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(shapes.shapes.len() > 20, "{name}: {}", shapes.shapes.len());
        }
        // Misspelt terms in the published profiles are ignored, and said so.
        let norway = Shapes::profile("dcat-ap-no").unwrap();
        assert!(
            norway.warnings.iter().any(|w| w.contains("sh:targetSubjectOf")),
            "{:?}",
            norway.warnings
        );
        assert!(
            Shapes::profile("dcat-ap-xx")
                .unwrap_err()
                .to_string()
                .contains("dcat-ap-no")
        );
    }

    #[test]
    fn paths_and_the_new_constraints_are_read() {
        let text = r#"@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://ex/> .
            ex:S sh:targetObjectsOf ex:p ; sh:closed true ; sh:ignoredProperties ( ex:type ) ;
              sh:property [ sh:path [ sh:alternativePath ( ex:a [ sh:inversePath ex:b ] ) ] ;
                            sh:pattern "^x" ; sh:flags "i" ; sh:hasValue ex:v ; sh:in ( ex:v ex:w ) ] ;
              sh:property [ sh:path ( ex:c ex:d ) ; sh:qualifiedValueShape [ sh:class ex:C ] ;
                            sh:qualifiedMinCount 1 ; sh:languageIn ( "en" "nb" ) ; sh:uniqueLang true ] ."#;
        let shapes = Shapes::from_turtle(text, "t.ttl").unwrap();
        let root = &shapes.shapes[0];
        assert_eq!(root.target_objects_of.len(), 1);
        assert!(matches!(&root.constraints[..], [Constraint::Closed(allowed)] if allowed.len() == 1));
        // Properties come in no set order: find each by its kind of path.
        let property = |alternative: bool| {
            root.properties
                .iter()
                .map(|&i| &shapes.shapes[i])
                .find(|p| matches!(p.path, Some(Path::Alternative(_))) == alternative)
                .unwrap()
        };
        let first = property(true);
        assert_eq!(
            first.path.as_ref().unwrap().display(),
            "(<http://ex/a>|^<http://ex/b>)"
        );
        assert!(
            first
                .constraints
                .iter()
                .any(|c| matches!(c, Constraint::Pattern(p) if p.matches("Xyz")))
        );
        let second = property(false);
        assert_eq!(
            second.path.as_ref().unwrap().display(),
            "(<http://ex/c>/<http://ex/d>)"
        );
        assert!(second.constraints.contains(&Constraint::UniqueLang));
    }
}
