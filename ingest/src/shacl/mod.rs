//! Validating harvested records against SHACL shapes: DCAT-AP 3.0.1 by default.
//!
//! [`shapes`] reads the shapes; this module checks a source's triples against them and
//! returns one [`Violation`] per broken rule and value, in the terms SHACL's own validation
//! report uses (focus node, path, value, message, severity, constraint component), so the
//! harvest graph can store them as `sh:ValidationResult`s and a test can compare the
//! verdicts with pySHACL's.

pub mod background;
pub mod shapes;

use crate::source_graph::SourceGraph;
pub use background::Background;
use oxigraph::model::vocab::{rdf, rdfs, xsd};
use oxigraph::model::{
    NamedNode, NamedNodeRef, NamedOrBlankNode, NamedOrBlankNodeRef, Term, TermRef, Triple,
};
use shapes::{Constraint, Path, Shape, compact};
pub use shapes::{PROFILES, Profile, Severity, Shapes};
use std::collections::{BTreeSet, HashSet};
use std::str::FromStr;

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Violation {
    /// The node that breaks it (usually a record, distribution or agent), as N-Triples.
    pub focus: String,
    /// The property path, as N-Triples (`^<p>` for an inverse path); none for node shapes.
    pub path: Option<String>,
    /// The offending value, if one value is at fault.
    pub value: Option<String>,
    /// What is wrong, in words.
    pub message: String,
    /// How bad it is.
    pub severity: Severity,
    /// The SHACL constraint component, e.g. `sh:MinCountConstraintComponent`.
    pub component: String,
    /// The shape that was broken.
    pub shape: String,
}

/// Checks `triples` against `shapes`, with DCAT-AP's background knowledge.
pub fn validate(shapes: &Shapes, triples: &[Triple]) -> Vec<Violation> {
    validate_graph(shapes, &SourceGraph::new(triples), Some(Background::dcat_ap()))
}

/// Checks the triples of `graph` against `shapes`; range checks also read `background`
/// when given (see [`background`]).
pub fn validate_graph(
    shapes: &Shapes,
    graph: &SourceGraph<'_>,
    background: Option<&Background>,
) -> Vec<Violation> {
    let mut validator = Validator::new(shapes, graph);
    validator.background = background.copied();
    let mut out = BTreeSet::new();
    for (index, shape) in shapes.shapes.iter().enumerate() {
        if !shape.has_targets() || shape.deactivated {
            continue;
        }
        let focus_nodes = validator.focus_nodes(shape);
        for focus in &focus_nodes {
            validator.check(index, focus.as_ref(), &mut Some(&mut out));
        }
    }
    out.into_iter().collect()
}

/// The `rdf:type` triples that DCAT-AP's ranges imply for IRI and blank-node values that
/// lack them: the
/// value of `dct:license` is a `dct:LicenseDocument`, of `dcat:theme` a `skos:Concept`, of
/// `foaf:homepage` a `foaf:Document`, and so on, as the shapes' `sh:class` constraints say.
/// Exporters add these (the EU authority tables type their concepts the same way) so that a
/// republished catalogue is self-contained; literal values are not touched. Repeats until
/// nothing is added, since a newly typed value may be the focus of further shapes.
pub fn implied_types(shapes: &Shapes, triples: &[Triple]) -> Vec<Triple> {
    let mut added: Vec<Triple> = Vec::new();
    for _ in 0..4 {
        let all: Vec<Triple> = triples.iter().chain(&added).cloned().collect();
        let graph = SourceGraph::new(&all);
        let mut round = Vec::new();
        let validator = Validator::new(shapes, &graph);
        for shape in &shapes.shapes {
            if shape.target_classes.is_empty() || shape.deactivated {
                // Range types follow from class targets only.
                continue;
            }
            let mut focus_nodes: Vec<NamedOrBlankNode> = Vec::new();
            for class in validator.with_subclasses(&shape.target_classes) {
                for subject in graph.subjects_for_predicate_object(rdf::TYPE, &class) {
                    focus_nodes.push(subject.into_owned());
                }
            }
            for &property in &shape.properties {
                let property = &shapes.shapes[property];
                let Some(Path::Predicate(predicate)) = &property.path else {
                    continue;
                };
                for constraint in &property.constraints {
                    let Constraint::Class(class) = constraint else {
                        continue;
                    };
                    for focus in &focus_nodes {
                        for value in graph.objects_for_subject_predicate(focus, predicate) {
                            let subject: NamedOrBlankNode = match value {
                                TermRef::NamedNode(n) => n.into_owned().into(),
                                TermRef::BlankNode(b) => b.into_owned().into(),
                                TermRef::Literal(_) => continue,
                            };
                            if !validator.is_instance(value, class) {
                                round.push(Triple::new(subject, rdf::TYPE, class.clone()));
                            }
                        }
                    }
                }
            }
        }
        drop(validator);
        round.sort_unstable_by_key(ToString::to_string);
        round.dedup();
        if round.is_empty() {
            break;
        }
        added.extend(round);
    }
    added
}

struct Validator<'a> {
    shapes: &'a Shapes,
    graph: &'a SourceGraph<'a>,
    /// What range checks read beside the graph. None for [`implied_types`], which must type
    /// every value a republished catalogue needs typed.
    background: Option<Background>,
    /// Each class with its subclasses (declared in the data), computed once per class.
    subclasses: std::cell::RefCell<std::collections::HashMap<NamedNode, std::rc::Rc<Vec<NamedNode>>>>,
}

impl<'a> Validator<'a> {
    fn new(shapes: &'a Shapes, graph: &'a SourceGraph<'a>) -> Self {
        Self {
            shapes,
            graph,
            background: None,
            subclasses: Default::default(),
        }
    }
}

impl<'a> Validator<'a> {
    /// The focus nodes a shape's targets select, each once, in the order found.
    fn focus_nodes(&self, shape: &Shape) -> Vec<Term> {
        let mut focus_nodes: Vec<Term> = Vec::new();
        let mut seen: HashSet<Term> = HashSet::new();
        let mut add = |term: Term| {
            if seen.insert(term.clone()) {
                focus_nodes.push(term);
            }
        };
        for class in self.with_subclasses(&shape.target_classes) {
            for subject in self.graph.subjects_for_predicate_object(rdf::TYPE, &class) {
                add(subject.into_owned().into());
            }
        }
        for node in &shape.target_nodes {
            add(node.clone());
        }
        for predicate in &shape.target_objects_of {
            for t in self.graph.triples_for_predicate(predicate) {
                add(t.object.into_owned());
            }
        }
        for predicate in &shape.target_subjects_of {
            for t in self.graph.triples_for_predicate(predicate) {
                add(t.subject.into_owned().into());
            }
        }
        focus_nodes
    }

    /// The classes and every class declared (in the data) a subclass of one of them.
    fn with_subclasses(&self, classes: &[NamedNode]) -> Vec<NamedNode> {
        let mut all: Vec<NamedNode> = classes.to_vec();
        let mut seen: HashSet<NamedNode> = all.iter().cloned().collect();
        let mut i = 0;
        while i < all.len() {
            let class = all[i].clone();
            for sub in self
                .graph
                .subjects_for_predicate_object(rdfs::SUB_CLASS_OF, &class)
            {
                if let NamedOrBlankNodeRef::NamedNode(n) = sub
                    && seen.insert(n.into_owned())
                {
                    all.push(n.into_owned());
                }
            }
            i += 1;
        }
        all
    }

    fn is_instance(&self, node: TermRef<'_>, class: &NamedNode) -> bool {
        let subject = match node {
            TermRef::NamedNode(n) => NamedOrBlankNodeRef::from(n),
            TermRef::BlankNode(b) => NamedOrBlankNodeRef::from(b),
            TermRef::Literal(_) => return false,
        };
        let cached = self.subclasses.borrow().get(class).cloned();
        let accepted = match cached {
            Some(accepted) => accepted,
            None => {
                let accepted = std::rc::Rc::new(self.accepted_classes(class));
                self.subclasses
                    .borrow_mut()
                    .insert(class.clone(), accepted.clone());
                accepted
            }
        };
        let stated = self
            .graph
            .objects_for_subject_predicate(subject, rdf::TYPE)
            .any(|t| matches!(t, TermRef::NamedNode(n) if accepted.iter().any(|c| c.as_ref() == n)));
        stated
            || match (self.background, node) {
                (Some(background), TermRef::NamedNode(n)) => {
                    accepted.iter().any(|c| background.types(n, c.as_str()))
                }
                _ => false,
            }
    }

    /// `class` and every class a subclass of it, by the data's own `rdfs:subClassOf` and, with
    /// background, by the vocabularies'.
    fn accepted_classes(&self, class: &NamedNode) -> Vec<NamedNode> {
        let Some(background) = self.background else {
            return self.with_subclasses(std::slice::from_ref(class));
        };
        let mut all = vec![class.clone()];
        let mut i = 0;
        while i < all.len() {
            let mut found = self.with_subclasses(std::slice::from_ref(&all[i]));
            found.extend(
                background
                    .subclasses(all[i].as_str())
                    .map(NamedNode::new_unchecked),
            );
            for c in found {
                if !all.contains(&c) {
                    all.push(c);
                }
            }
            i += 1;
        }
        all
    }

    /// The value nodes of `path` from `focus`, each once, borrowed from the graph: a
    /// source of a million triples asks for tens of millions of values, and owning each
    /// was most of the validation's allocation.
    fn values(&self, focus: TermRef<'_>, path: &Path) -> Vec<TermRef<'a>> {
        let mut out = match path {
            Path::Predicate(p) => match focus {
                TermRef::NamedNode(n) => self.graph.objects_for_subject_predicate(n, p).collect(),
                TermRef::BlankNode(b) => self.graph.objects_for_subject_predicate(b, p).collect(),
                TermRef::Literal(_) => Vec::new(),
            },
            Path::Inverse(p) => self
                .graph
                .subjects_for_predicate_object(p, focus)
                .map(TermRef::from)
                .collect(),
            Path::Alternative(paths) => paths.iter().flat_map(|p| self.values(focus, p)).collect(),
            Path::Sequence(paths) => {
                let Some((first, rest)) = paths.split_first() else {
                    return Vec::new();
                };
                let mut current = self.values(focus, first);
                for step in rest {
                    current = current.iter().flat_map(|node| self.values(*node, step)).collect();
                }
                current
            }
        };
        // Most paths give one or two values: compared in place, without a set.
        if out.len() > 16 {
            let mut seen = HashSet::new();
            out.retain(|t| seen.insert(*t));
        } else if out.len() > 1 {
            let mut kept: Vec<TermRef<'a>> = Vec::with_capacity(out.len());
            for t in out {
                if !kept.contains(&t) {
                    kept.push(t);
                }
            }
            out = kept;
        }
        out
    }

    /// Whether `focus` conforms to shape `index`; violations go to `out` when given.
    fn check(&self, index: usize, focus: TermRef<'_>, out: &mut Option<&mut BTreeSet<Violation>>) -> bool {
        let shape = &self.shapes.shapes[index];
        if shape.deactivated {
            return true;
        }
        let values: Vec<TermRef<'_>> = match &shape.path {
            Some(path) => self.values(focus, path),
            None => vec![focus],
        };
        // Nested checks (`out` is `None`) only ask whether the focus conforms: they stop at
        // the first broken rule and never word a message.
        let conforms = std::cell::Cell::new(true);
        let report = |value: Option<&TermRef<'_>>,
                      component: &str,
                      message: &dyn Fn() -> String,
                      out: &mut Option<&mut BTreeSet<Violation>>| {
            conforms.set(false);
            if let Some(out) = out.as_deref_mut() {
                out.insert(Violation {
                    focus: focus.to_string(),
                    path: shape.path.as_ref().map(Path::display),
                    value: value.map(ToString::to_string),
                    message: shape.message.clone().unwrap_or_else(message),
                    severity: shape.severity,
                    component: format!("sh:{component}ConstraintComponent"),
                    shape: shape.id.clone(),
                });
            }
        };
        let what = What(shape);
        let nested = out.is_none();
        for constraint in &shape.constraints {
            if nested && !conforms.get() {
                return false;
            }
            match constraint {
                Constraint::MinCount(n) if values.len() < *n => report(
                    None,
                    "MinCount",
                    &|| {
                        format!(
                            "{what}: at least {n} value{} required, {} found",
                            plural(*n),
                            values.len()
                        )
                    },
                    out,
                ),
                Constraint::MaxCount(n) if values.len() > *n => report(
                    None,
                    "MaxCount",
                    &|| {
                        format!(
                            "{what}: at most {n} value{} allowed, {} found",
                            plural(*n),
                            values.len()
                        )
                    },
                    out,
                ),
                Constraint::MinCount(_) | Constraint::MaxCount(_) => {}
                Constraint::Class(class) => {
                    for v in &values {
                        if !self.is_instance(*v, class) {
                            report(
                                Some(v),
                                "Class",
                                &|| format!("{what}: {} is not a {}", short(v), compact(class.as_ref())),
                                out,
                            );
                        }
                    }
                }
                Constraint::Datatype(datatype) => {
                    for v in &values {
                        if !has_datatype(v, datatype.as_ref()) {
                            report(
                                Some(v),
                                "Datatype",
                                &|| {
                                    format!(
                                        "{what}: {} is not a well-formed {}",
                                        short(v),
                                        compact(datatype.as_ref())
                                    )
                                },
                                out,
                            );
                        }
                    }
                }
                Constraint::NodeKind(kind) => {
                    for v in &values {
                        if !kind.matches(*v) {
                            report(
                                Some(v),
                                "NodeKind",
                                &|| format!("{what}: {} is not a {}", short(v), kind.name()),
                                out,
                            );
                        }
                    }
                }
                Constraint::Node(child) => {
                    for v in &values {
                        if !self.check(*child, *v, &mut None) {
                            report(
                                Some(v),
                                "Node",
                                &|| {
                                    format!(
                                        "{what}: {} does not conform to {}",
                                        short(v),
                                        self.shapes.shapes[*child].id
                                    )
                                },
                                out,
                            );
                        }
                    }
                }
                Constraint::Or(members) => {
                    for v in &values {
                        if !members.iter().any(|m| self.check(*m, *v, &mut None)) {
                            report(
                                Some(v),
                                "Or",
                                &|| format!("{what}: {} matches none of the alternatives", short(v)),
                                out,
                            );
                        }
                    }
                }
                Constraint::And(members) => {
                    for v in &values {
                        if !members.iter().all(|m| self.check(*m, *v, &mut None)) {
                            report(
                                Some(v),
                                "And",
                                &|| format!("{what}: {} does not meet all the conditions", short(v)),
                                out,
                            );
                        }
                    }
                }
                Constraint::Xone(members) => {
                    for v in &values {
                        let matching = members.iter().filter(|m| self.check(**m, *v, &mut None)).count();
                        if matching != 1 {
                            report(
                                Some(v),
                                "Xone",
                                &|| {
                                    format!(
                                        "{what}: {} matches {matching} of the alternatives, not exactly one",
                                        short(v)
                                    )
                                },
                                out,
                            );
                        }
                    }
                }
                Constraint::Not(child) => {
                    for v in &values {
                        if self.check(*child, *v, &mut None) {
                            report(
                                Some(v),
                                "Not",
                                &|| {
                                    format!(
                                        "{what}: {} conforms to {}, which it must not",
                                        short(v),
                                        self.shapes.shapes[*child].id
                                    )
                                },
                                out,
                            );
                        }
                    }
                }
                Constraint::HasValue(expected) => {
                    if !values.contains(&expected.as_ref()) {
                        report(
                            None,
                            "HasValue",
                            &|| format!("{what}: must have the value {}", short(&expected.as_ref())),
                            out,
                        );
                    }
                }
                Constraint::In(allowed) => {
                    for v in &values {
                        if !allowed.iter().any(|a| a.as_ref() == *v) {
                            report(
                                Some(v),
                                "In",
                                &|| format!("{what}: {} is not one of the values allowed", short(v)),
                                out,
                            );
                        }
                    }
                }
                Constraint::Pattern(pattern) => {
                    for v in &values {
                        // A blank node has no string form to match.
                        let text = match v {
                            TermRef::NamedNode(n) => Some(n.as_str()),
                            TermRef::Literal(l) => Some(l.value()),
                            TermRef::BlankNode(_) => None,
                        };
                        if !text.is_some_and(|t| pattern.matches(t)) {
                            report(
                                Some(v),
                                "Pattern",
                                &|| format!("{what}: {} does not match {:?}", short(v), pattern.source),
                                out,
                            );
                        }
                    }
                }
                Constraint::MinLength(n) | Constraint::MaxLength(n) => {
                    let min = matches!(constraint, Constraint::MinLength(_));
                    for v in &values {
                        let length = match v {
                            TermRef::NamedNode(iri) => Some(iri.as_str().chars().count()),
                            TermRef::Literal(l) => Some(l.value().chars().count()),
                            TermRef::BlankNode(_) => None,
                        };
                        let fits = length.is_some_and(|l| if min { l >= *n } else { l <= *n });
                        if !fits {
                            report(
                                Some(v),
                                if min { "MinLength" } else { "MaxLength" },
                                &|| {
                                    format!(
                                        "{what}: {} is {} than {n} characters",
                                        short(v),
                                        if min { "shorter" } else { "longer" }
                                    )
                                },
                                out,
                            );
                        }
                    }
                }
                Constraint::LanguageIn(ranges) => {
                    for v in &values {
                        let tag = match v {
                            TermRef::Literal(l) => l.language().map(str::to_ascii_lowercase),
                            _ => None,
                        };
                        if !tag.as_deref().is_some_and(|tag| language_in(tag, ranges)) {
                            report(
                                Some(v),
                                "LanguageIn",
                                &|| format!("{what}: {} is not in {}", short(v), ranges.join(", ")),
                                out,
                            );
                        }
                    }
                }
                Constraint::UniqueLang => {
                    let mut tags: std::collections::BTreeMap<String, usize> = Default::default();
                    for v in &values {
                        if let TermRef::Literal(l) = v
                            && let Some(tag) = l.language()
                        {
                            *tags.entry(tag.to_ascii_lowercase()).or_default() += 1;
                        }
                    }
                    // One result per language used more than once, as SHACL says.
                    for (tag, _) in tags.into_iter().filter(|(_, n)| *n > 1) {
                        report(
                            None,
                            "UniqueLang",
                            &|| format!("{what}: more than one value in language {tag:?}"),
                            out,
                        );
                    }
                }
                Constraint::Qualified {
                    shape: child,
                    min,
                    max,
                } => {
                    let conforming = values
                        .iter()
                        .filter(|v| self.check(*child, **v, &mut None))
                        .count();
                    if let Some(min) = min
                        && conforming < *min
                    {
                        report(
                            None,
                            "QualifiedMinCount",
                            &|| {
                                format!(
                                    "{what}: at least {min} value{} must conform to {}, {conforming} do",
                                    plural(*min),
                                    self.shapes.shapes[*child].id
                                )
                            },
                            out,
                        );
                    }
                    if let Some(max) = max
                        && conforming > *max
                    {
                        report(
                            None,
                            "QualifiedMaxCount",
                            &|| {
                                format!(
                                    "{what}: at most {max} value{} may conform to {}, {conforming} do",
                                    plural(*max),
                                    self.shapes.shapes[*child].id
                                )
                            },
                            out,
                        );
                    }
                }
                Constraint::Closed(allowed) => {
                    for v in &values {
                        let subject = match v {
                            TermRef::NamedNode(n) => NamedOrBlankNodeRef::from(*n),
                            TermRef::BlankNode(b) => NamedOrBlankNodeRef::from(*b),
                            TermRef::Literal(_) => continue,
                        };
                        for t in self.graph.triples_for_subject(subject) {
                            if !allowed.iter().any(|p| p.as_ref() == t.predicate) {
                                closed_report(shape, v, t.predicate, t.object, out);
                                conforms.set(false);
                            }
                        }
                    }
                }
            }
        }
        if nested && !conforms.get() {
            return false;
        }
        // A property shape's own property shapes apply to its value nodes (for a node shape
        // the value node is the focus itself).
        for &property in &shape.properties {
            for value in &values {
                if !self.check(property, *value, out) {
                    conforms.set(false);
                    if nested {
                        return false;
                    }
                }
            }
        }
        conforms.get()
    }
}

/// A value of a closed shape's focus through a property the shape does not allow: its own
/// result, whose path is that property.
fn closed_report(
    shape: &Shape,
    focus: &TermRef<'_>,
    predicate: NamedNodeRef<'_>,
    value: TermRef<'_>,
    out: &mut Option<&mut BTreeSet<Violation>>,
) {
    if let Some(out) = out.as_deref_mut() {
        out.insert(Violation {
            focus: focus.to_string(),
            path: Some(predicate.to_string()),
            value: Some(value.to_string()),
            message: shape.message.clone().unwrap_or_else(|| {
                format!(
                    "{}: {} is not among the properties this closed shape allows",
                    What(shape),
                    compact(predicate)
                )
            }),
            severity: shape.severity,
            component: "sh:ClosedConstraintComponent".to_owned(),
            shape: shape.id.clone(),
        });
    }
}

/// Whether language tag `tag` (lower-cased) falls in one of the basic language `ranges`.
fn language_in(tag: &str, ranges: &[String]) -> bool {
    ranges.iter().any(|range| {
        range == "*"
            || tag == range
            || tag
                .strip_prefix(range.as_str())
                .is_some_and(|rest| rest.starts_with('-'))
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A shape as messages name it: `title (dct:title)`, or the path alone. Written only when
/// a message is.
struct What<'a>(&'a Shape);

impl std::fmt::Display for What<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shape = self.0;
        match (&shape.path, &shape.name) {
            (None, name) => f.write_str(name.as_deref().unwrap_or("node")),
            (Some(path), Some(name)) => write!(f, "{name} ({})", path.compact()),
            (Some(path), None) => f.write_str(&path.compact()),
        }
    }
}

/// A value for a message, cut to a readable length.
fn short(term: &TermRef<'_>) -> String {
    let text = term.to_string();
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(80).collect::<String>())
    } else {
        text
    }
}

/// Whether `term` is a literal of `datatype` whose lexical form is valid for it.
fn has_datatype(term: &TermRef<'_>, datatype: NamedNodeRef<'_>) -> bool {
    let TermRef::Literal(literal) = term else {
        return false;
    };
    if literal.datatype() != datatype {
        return false;
    }
    let v = literal.value();
    use oxsdatatypes as xs;
    match datatype {
        d if d == xsd::DATE_TIME => xs::DateTime::from_str(v).is_ok(),
        d if d == xsd::DATE => xs::Date::from_str(v).is_ok(),
        d if d == xsd::G_YEAR => xs::GYear::from_str(v).is_ok(),
        d if d == xsd::G_YEAR_MONTH => xs::GYearMonth::from_str(v).is_ok(),
        d if d == xsd::DECIMAL => xs::Decimal::from_str(v).is_ok(),
        d if d == xsd::INTEGER => xs::Integer::from_str(v).is_ok(),
        d if d == xsd::NON_NEGATIVE_INTEGER => {
            xs::Integer::from_str(v).is_ok_and(|i| i >= xs::Integer::from(0))
        }
        d if d == xsd::BOOLEAN => xs::Boolean::from_str(v).is_ok(),
        d if d == xsd::DURATION => xs::Duration::from_str(v).is_ok(),
        d if d == xsd::DOUBLE => xs::Double::from_str(v).is_ok(),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rdf_document::parse;
    use oxigraph::io::RdfFormat;

    fn check(text: &str) -> Vec<Violation> {
        let triples = parse(text.as_bytes(), RdfFormat::Turtle, None, "t.ttl").unwrap();
        validate(Shapes::dcat_ap_3(), &triples)
    }

    const PREFIXES: &str = "@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix foaf: <http://xmlns.com/foaf/0.1/> .\n";

    #[test]
    fn a_dataset_without_a_description_breaks_a_mandatory_rule() {
        let v = check(&format!(
            "{PREFIXES}<http://d> a dcat:Dataset ; dct:title \"T\"@en ."
        ));
        let missing: Vec<&Violation> = v
            .iter()
            .filter(|v| v.component == "sh:MinCountConstraintComponent")
            .collect();
        assert_eq!(missing.len(), 1, "{v:#?}");
        assert_eq!(missing[0].focus, "<http://d>");
        assert_eq!(
            missing[0].path.as_deref(),
            Some("<http://purl.org/dc/terms/description>")
        );
        assert!(
            missing[0].message.contains("at least 1"),
            "{}",
            missing[0].message
        );
    }

    #[test]
    fn a_complete_dataset_conforms() {
        let v = check(&format!(
            "{PREFIXES}<http://d> a dcat:Dataset ; dct:title \"T\"@en ; dct:description \"D\"@en ;
               dct:issued \"2020-01-01\"^^xsd:date ; dct:publisher <http://org> .
             <http://org> a foaf:Agent ; foaf:name \"Org\" ."
        ));
        assert!(v.is_empty(), "{v:#?}");
    }

    #[test]
    fn authority_values_and_vocabulary_subclasses_meet_ranges_with_background() {
        // As DCAT-AP tells a publisher to write it: authority-table values, a contact point
        // typed vcard:Organization, a publisher typed foaf:Organization.
        let text = format!(
            "{PREFIXES}@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
             <http://d> a dcat:Dataset ; dct:title \"T\" ; dct:description \"D\" ;
               dct:publisher <http://org> ; dcat:contactPoint <http://d/contact> ;
               dct:language <http://publications.europa.eu/resource/authority/language/ENG> ;
               dct:accrualPeriodicity <http://publications.europa.eu/resource/authority/frequency/DAILY> ;
               dcat:theme <http://publications.europa.eu/resource/authority/data-theme/ENVI> ;
               dcat:distribution <http://d/csv> ; dcat:landingPage <http://d/page> .
             <http://org> a foaf:Organization ; foaf:name \"Org\" .
             <http://d/contact> a vcard:Organization ; vcard:fn \"Team\" .
             <http://d/csv> a dcat:Distribution ; dcat:accessURL <http://x/a.csv> ;
               dct:format <http://publications.europa.eu/resource/authority/file-type/CSV> ;
               dcat:mediaType <http://www.iana.org/assignments/media-types/text/csv> ;
               dct:license <http://publications.europa.eu/resource/authority/licence/CC_BY_4_0> ."
        );
        let triples = parse(text.as_bytes(), RdfFormat::Turtle, None, "t.ttl").unwrap();
        let graph = SourceGraph::new(&triples);
        let shapes = Shapes::dcat_ap_3();
        let with = validate_graph(shapes, &graph, Some(Background::dcat_ap()));
        let values: Vec<Option<&str>> = with.iter().map(|v| v.value.as_deref()).collect();
        // A landing page is a foaf:Document only when the data says so: no vocabulary does.
        assert_eq!(values, [Some("<http://d/page>")], "{with:#?}");
        let without = validate_graph(shapes, &graph, None);
        let broken: BTreeSet<&str> = without.iter().filter_map(|v| v.value.as_deref()).collect();
        assert_eq!(
            broken.len(),
            9,
            "each authority value, the agents and the page: {without:#?}"
        );
        assert!(
            without
                .iter()
                .all(|v| v.component == "sh:ClassConstraintComponent")
        );
    }

    #[test]
    fn implied_range_types_make_iri_values_conform() {
        let text = format!(
            "{PREFIXES}<http://d> a dcat:Dataset ; dct:title \"T\" ; dct:description \"D\" ;
               dct:publisher <http://org> ; dcat:theme <http://eu/ENVI> ; dct:license \"OGL\" .
             <http://org> foaf:name \"Org\" ."
        );
        let triples = parse(text.as_bytes(), RdfFormat::Turtle, None, "t.ttl").unwrap();
        let implied = implied_types(Shapes::dcat_ap_3(), &triples);
        let lines: Vec<String> = implied.iter().map(ToString::to_string).collect();
        assert!(lines.contains(&"<http://org> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://xmlns.com/foaf/0.1/Agent>".to_owned()), "{lines:#?}");
        assert!(lines.contains(&"<http://eu/ENVI> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/2004/02/skos/core#Concept>".to_owned()));
        let mut all = triples.clone();
        all.extend(implied);
        let left: Vec<String> = validate(Shapes::dcat_ap_3(), &all)
            .into_iter()
            .map(|v| v.message)
            .collect();
        assert_eq!(left.len(), 1, "only the literal licence is left: {left:#?}");
    }

    #[test]
    fn ranges_and_datatypes_are_checked() {
        let v = check(&format!(
            "{PREFIXES}<http://d> a dcat:Dataset ; dct:title \"T\" ; dct:description \"D\" ;
               dct:publisher <http://org> ; dcat:distribution <http://d/csv> .
             <http://d/csv> a dcat:Distribution ; dcat:accessURL <http://x/a.csv> ;
               dcat:byteSize \"-5\"^^xsd:nonNegativeInteger ."
        ));
        let components: BTreeSet<&str> = v.iter().map(|v| v.component.as_str()).collect();
        assert!(components.contains("sh:ClassConstraintComponent"), "{v:#?}");
        assert!(
            v.iter().any(|v| v.component == "sh:DatatypeConstraintComponent"
                && v.value.as_deref()
                    == Some("\"-5\"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger>")),
            "{v:#?}"
        );
    }
}
