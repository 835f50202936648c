//! What the tagger reads of a record: the same fields whether the record is in the store, in
//! a case-study file given to `tag --explain`, or plain text, so that all three give the
//! same tags for the same content.

use crate::authority;
use crate::error::Result;
use civicgraph_vocab::cg;
use civicgraph_vocab::ext::{dcat, dct, schema, skos};
use oxigraph::model::vocab::rdfs;
use oxigraph::model::{NamedNodeRef, NamedOrBlankNodeRef, Term, TermRef};
use oxigraph::store::Store;

/// A record's text and the few structured fields that say something about its pattern.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagInput {
    /// `dct:title`, `schema:name`.
    pub titles: Vec<String>,
    /// `dct:description`, `schema:abstract`, `schema:description`.
    pub descriptions: Vec<String>,
    /// `dcat:keyword`, `schema:keywords`.
    pub keywords: Vec<String>,
    /// Labels of the `dcat:theme`s.
    pub themes: Vec<String>,
    /// The local names of the publishers' `dct:type`s (`LocalAuthority`, ...).
    pub publisher_types: Vec<String>,
    /// The local names of the `cg:beneficiary` groups (`citizens`, ...).
    pub beneficiaries: Vec<String>,
    /// The local names of the `cg:actor`s, the sectors of who acts (`public-sector`,
    /// `industry`, `academia`, `civil-society`).
    pub actors: Vec<String>,
}

impl TagInput {
    /// Plain text, taken as a description.
    pub fn from_text(text: &str) -> Self {
        Self {
            descriptions: vec![text.to_owned()],
            ..Self::default()
        }
    }

    /// Every free-text field, titles first.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.titles
            .iter()
            .chain(&self.descriptions)
            .chain(&self.keywords)
            .map(String::as_str)
    }

    /// Whether there is nothing to judge the record by.
    pub fn is_empty(&self) -> bool {
        self.texts().all(|t| t.trim().is_empty()) && self.themes.is_empty() && self.beneficiaries.is_empty()
    }

    /// Reads `record` from every graph of `store`. Curated patterns (`cg:usePattern`) are not
    /// inputs: they are the answer.
    pub fn read(store: &Store, record: NamedNodeRef<'_>) -> Result<Self> {
        let mut input = Self::default();
        for quad in store.quads_for_pattern(Some(record.into()), None, None, None) {
            let quad = quad?;
            let p = quad.predicate.as_ref();
            let o = quad.object.as_ref();
            if p == dct::TITLE || p == schema::NAME {
                push_text(&mut input.titles, o);
            } else if p == dct::DESCRIPTION || p == schema::ABSTRACT || p == schema::DESCRIPTION {
                push_text(&mut input.descriptions, o);
            } else if p == dcat::KEYWORD || p == schema::KEYWORDS {
                push_text(&mut input.keywords, o);
            } else if p == dcat::THEME {
                if let Some(label) = concept_label(store, o)? {
                    push_unique(&mut input.themes, label);
                }
            } else if p == dct::PUBLISHER || p == dct::CREATOR {
                for kind in agent_types(store, o)? {
                    push_unique(&mut input.publisher_types, kind);
                }
            } else if p == cg::BENEFICIARY
                && let TermRef::NamedNode(group) = o
            {
                push_unique(&mut input.beneficiaries, local_name(group.as_str()).to_owned());
            } else if p == cg::ACTOR
                && let TermRef::NamedNode(actor) = o
            {
                push_unique(&mut input.actors, local_name(actor.as_str()).to_owned());
            }
        }
        Ok(input)
    }
}

fn push_text(into: &mut Vec<String>, term: TermRef<'_>) {
    if let TermRef::Literal(literal) = term {
        push_unique(into, literal.value().to_owned());
    }
}

fn push_unique(into: &mut Vec<String>, value: String) {
    if !value.trim().is_empty() && !into.contains(&value) {
        into.push(value);
    }
}

fn local_name(iri: &str) -> &str {
    iri.rsplit(['/', '#']).find(|s| !s.is_empty()).unwrap_or(iri)
}

/// A theme's English label: from the EU authority tables, else the store, else its local name.
fn concept_label(store: &Store, term: TermRef<'_>) -> Result<Option<String>> {
    match term {
        TermRef::Literal(literal) => Ok(Some(literal.value().to_owned())),
        TermRef::NamedNode(node) => {
            if let Some(label) = authority::label(node.as_str()) {
                return Ok(Some(label.to_owned()));
            }
            for property in [skos::PREF_LABEL, rdfs::LABEL] {
                for quad in store.quads_for_pattern(Some(node.into()), Some(property), None, None) {
                    if let Term::Literal(literal) = quad?.object {
                        return Ok(Some(literal.value().to_owned()));
                    }
                }
            }
            Ok(Some(local_name(node.as_str()).to_owned()))
        }
        _ => Ok(None),
    }
}

/// The `dct:type`s of an agent, by local name.
fn agent_types(store: &Store, term: TermRef<'_>) -> Result<Vec<String>> {
    let subject: NamedOrBlankNodeRef<'_> = match term {
        TermRef::NamedNode(node) => node.into(),
        TermRef::BlankNode(node) => node.into(),
        _ => return Ok(Vec::new()),
    };
    let mut kinds = Vec::new();
    for quad in store.quads_for_pattern(Some(subject), Some(dct::TYPE), None, None) {
        match quad?.object {
            Term::NamedNode(node) => kinds.push(local_name(node.as_str()).to_owned()),
            Term::Literal(literal) => kinds.push(literal.value().to_owned()),
            _ => {}
        }
    }
    Ok(kinds)
}
