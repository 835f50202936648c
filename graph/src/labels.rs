//! The one label resolution: what a person is shown for an IRI (a pattern, a theme, a
//! format, a licence, a publisher, a place), used by the index, the tagger, the linker, the
//! record API and `/catalog` alike.
//!
//! A label comes from, in order: the ODI patterns' own names; the EU authority tables
//! (whose English labels do not depend on what a catalogue chose to copy); the store's
//! `foaf:name`, `skos:prefLabel`, `rdfs:label`, `dct:title` or `schema:name`, English or
//! untagged first. Labels are cached in the [`LabelCache`] the [`crate::Graph`] keeps until
//! its next write, so a page of search hits with facets resolves each publisher once, not
//! once per request.

use crate::error::Result;
use crate::records::Agent;
use crate::statements::Statements;
use civicgraph_vocab::ext::{dct, foaf, schema, skos};
use civicgraph_vocab::{PATTERNS, authority, cgp};
use oxigraph::model::vocab::rdfs;
use oxigraph::model::{Term, TermRef};
use oxigraph::store::Store;
use std::collections::HashMap;
use std::sync::Mutex;

/// The properties that name a thing, most specific first.
const NAME_PROPERTIES: [oxigraph::model::NamedNodeRef<'static>; 5] = [
    foaf::NAME,
    skos::PREF_LABEL,
    rdfs::LABEL,
    dct::TITLE,
    schema::NAME,
];

/// At most this many labels are cached; past it, labels are looked up each time. A
/// catalogue has a few hundred publishers and places, so this holds every label of a
/// national catalogue.
const CACHE_CAPACITY: usize = 200_000;

/// Labels already resolved, and the agents (publishers, creators) the record view read,
/// valid until the store's next write. Shared by every reader of a graph, so tagging and
/// linking, which read records on several threads, look each publisher up once.
#[derive(Debug, Default)]
pub struct LabelCache {
    state: Mutex<CacheState>,
}

#[derive(Debug, Default)]
struct CacheState {
    /// Bumped by every write: a label read before it is not kept after it.
    generation: u64,
    labels: HashMap<Term, Option<String>>,
    agents: HashMap<Term, Agent>,
}

impl LabelCache {
    /// Forgets every label: called after each write to the store.
    pub fn invalidate(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.generation += 1;
        state.labels = HashMap::new();
        state.agents = HashMap::new();
    }

    /// How many labels are cached.
    pub fn len(&self) -> usize {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).labels.len()
    }

    /// Whether no label is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn get(&self, term: &Term) -> (u64, Option<Option<String>>) {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        (state.generation, state.labels.get(term).cloned())
    }

    /// The agent `term` names, if it was read since the last write, and the generation to
    /// keep one read now under.
    pub(crate) fn agent(&self, term: &Term) -> (u64, Option<Agent>) {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        (state.generation, state.agents.get(term).cloned())
    }

    /// Keeps `agent`, read at `generation`, unless a write came since.
    pub(crate) fn keep_agent(&self, generation: u64, term: Term, agent: Agent) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.generation == generation && state.agents.len() < CACHE_CAPACITY {
            state.agents.insert(term, agent);
        }
    }

    fn put(&self, generation: u64, term: Term, label: Option<String>) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        // A write since the lookup began may have changed the label: keep nothing.
        if state.generation == generation && state.labels.len() < CACHE_CAPACITY {
            state.labels.insert(term, label);
        }
    }
}

/// Resolves labels from a store, through a cache.
#[derive(Clone, Copy)]
pub struct Labels<'a> {
    store: &'a Store,
    /// Where labels are read: the store, or a source's triples over it ([`crate::Pending`]).
    statements: &'a dyn Statements,
    cache: &'a LabelCache,
}

impl std::fmt::Debug for Labels<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Labels")
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

impl<'a> Labels<'a> {
    /// Labels of `store`'s terms, cached in `cache`.
    pub fn new(store: &'a Store, cache: &'a LabelCache) -> Self {
        Self {
            store,
            statements: store,
            cache,
        }
    }

    /// Labels of what `statements` say, over `store`, cached in `cache`: a harvest reading
    /// its records from its own triples gives them a cache of their own, since what they
    /// say is not the store's until they are written.
    pub fn over(statements: &'a dyn Statements, store: &'a Store, cache: &'a LabelCache) -> Self {
        Self {
            store,
            statements,
            cache,
        }
    }

    /// The store the labels come from.
    pub fn store(&self) -> &'a Store {
        self.store
    }

    /// What the labels are read from.
    pub fn statements(&self) -> &'a dyn Statements {
        self.statements
    }

    /// The cache the labels are kept in.
    pub(crate) fn cache(&self) -> &'a LabelCache {
        self.cache
    }

    /// What names `term`: a literal's value, else its label; `None` when nothing names it.
    pub fn label(&self, term: TermRef<'_>) -> Result<Option<String>> {
        if let TermRef::Literal(literal) = term {
            return Ok(Some(literal.value().to_owned()));
        }
        if let TermRef::NamedNode(node) = term
            && let Some(label) = fixed_label(node.as_str())
        {
            return Ok(Some(label));
        }
        let key = term.into_owned();
        let (generation, cached) = self.cache.get(&key);
        if let Some(label) = cached {
            return Ok(label);
        }
        let label = stored_label(self.statements, term)?;
        self.cache.put(generation, key, label.clone());
        Ok(label)
    }

    /// [`Labels::label`], else the last segment of an IRI: how a concept (a theme) nothing
    /// names is still shown readably.
    pub fn label_or_local_name(&self, term: TermRef<'_>) -> Result<Option<String>> {
        Ok(match (self.label(term)?, term) {
            (Some(label), _) => Some(label),
            (None, TermRef::NamedNode(node)) => Some(local_name(node.as_str()).to_owned()),
            (None, _) => None,
        })
    }

    /// [`Labels::label`], else the IRI itself, so that an unnamed publisher is not silently
    /// dropped; `None` only for an unnamed blank node.
    pub fn name(&self, term: TermRef<'_>) -> Result<Option<String>> {
        Ok(match (self.label(term)?, term) {
            (Some(label), _) => Some(label),
            (None, TermRef::NamedNode(node)) => Some(node.as_str().to_owned()),
            (None, _) => None,
        })
    }

    /// The label of `value`, an IRI or text as an API returns it; the value itself when
    /// nothing names it.
    pub fn of_value(&self, value: &str) -> String {
        if let Some(label) = fixed_label(value) {
            return label;
        }
        let Ok(node) = oxigraph::model::NamedNodeRef::new(value) else {
            return value.to_owned();
        };
        match self.label(node.into()) {
            Ok(Some(label)) => label,
            Ok(None) => value.to_owned(),
            Err(error) => {
                tracing::warn!("the label of {value} could not be read: {error}");
                value.to_owned()
            }
        }
    }
}

/// A label that does not depend on the store: an ODI pattern's ("P1 Access to services"),
/// an EU authority table concept's English label (a licence's own address as its concept's),
/// or an IANA media type's (`text/csv`).
fn fixed_label(iri: &str) -> Option<String> {
    if let Some(local) = iri.strip_prefix(cgp::NAMESPACE) {
        return PATTERNS
            .iter()
            .find(|p| p.name == local)
            .map(|p| format!("{} {}", p.notation, p.label))
            .or_else(|| (local == "none").then(|| "No pattern".to_owned()));
    }
    if let Some(label) = authority::label(iri) {
        return Some(label.to_owned());
    }
    // DCAT-AP's `dcat:mediaType` IRIs name their media type in their path.
    authority::media_type_of_address(iri).map(str::to_owned)
}

/// The first name property with a value: its English or untagged value, else any other.
/// The first property of [`NAME_PROPERTIES`] that names `term`, English or untagged values
/// first; of several, the least in code-point order, so that the label does not depend on
/// the order a store keeps values in.
fn stored_label(statements: &dyn Statements, term: TermRef<'_>) -> Result<Option<String>> {
    let Some(subject) = crate::statements::as_subject(term) else {
        return Ok(None);
    };
    for property in NAME_PROPERTIES {
        let best = statements
            .about(subject, Some(property))?
            .into_iter()
            .filter_map(|quad| match quad.object {
                Term::Literal(literal) => Some((
                    !matches!(literal.language(), None | Some("en")),
                    literal.value().to_owned(),
                )),
                _ => None,
            })
            .min();
        if let Some((_, label)) = best {
            return Ok(Some(label));
        }
    }
    Ok(None)
}

/// The last non-empty segment of an IRI: a readable stand-in for a concept nothing names.
pub fn local_name(iri: &str) -> &str {
    iri.rsplit(['/', '#']).find(|s| !s.is_empty()).unwrap_or(iri)
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{GraphNameRef, Literal, NamedNodeRef, QuadRef};

    fn store_with(subject: &str, names: &[(NamedNodeRef<'_>, Literal)]) -> Store {
        let store = Store::new().unwrap();
        let s = NamedNodeRef::new(subject).unwrap();
        for (p, o) in names {
            store
                .insert(QuadRef::new(s, *p, o, GraphNameRef::DefaultGraph))
                .unwrap();
        }
        store
    }

    #[test]
    fn authority_tables_name_their_concepts_whatever_the_store_says() {
        let theme = "http://publications.europa.eu/resource/authority/data-theme/TRAN";
        let store = store_with(
            theme,
            &[(skos::PREF_LABEL, Literal::new_simple_literal("Whatever"))],
        );
        let cache = LabelCache::default();
        let labels = Labels::new(&store, &cache);
        assert_eq!(labels.of_value(theme), "Transport");
        assert_eq!(
            labels.of_value(&format!("{}planning", cgp::NAMESPACE)),
            "P2 Planning and efficient delivery"
        );
    }

    #[test]
    fn english_names_come_first_and_other_languages_are_a_fallback() {
        let org = "https://example.org/org/1";
        let store = store_with(
            org,
            &[
                (
                    foaf::NAME,
                    Literal::new_language_tagged_literal_unchecked("Ministerio", "es"),
                ),
                (
                    foaf::NAME,
                    Literal::new_language_tagged_literal_unchecked("Ministry", "en"),
                ),
            ],
        );
        let cache = LabelCache::default();
        let labels = Labels::new(&store, &cache);
        assert_eq!(labels.of_value(org), "Ministry");
        let spanish = "https://example.org/org/2";
        let store = store_with(
            spanish,
            &[(
                skos::PREF_LABEL,
                Literal::new_language_tagged_literal_unchecked("Ayuntamiento", "es"),
            )],
        );
        assert_eq!(
            Labels::new(&store, &LabelCache::default()).of_value(spanish),
            "Ayuntamiento"
        );
        assert_eq!(
            labels.of_value("https://example.org/nobody"),
            "https://example.org/nobody"
        );
        assert_eq!(labels.of_value("just text"), "just text");
    }

    #[test]
    fn a_write_forgets_cached_labels() {
        let org = "https://example.org/org/1";
        let store = store_with(org, &[(foaf::NAME, Literal::new_simple_literal("Old name"))]);
        let cache = LabelCache::default();
        let labels = Labels::new(&store, &cache);
        assert_eq!(labels.of_value(org), "Old name");
        let node = NamedNodeRef::new(org).unwrap();
        store
            .remove(QuadRef::new(
                node,
                foaf::NAME,
                &Literal::new_simple_literal("Old name"),
                GraphNameRef::DefaultGraph,
            ))
            .unwrap();
        store
            .insert(QuadRef::new(
                node,
                foaf::NAME,
                &Literal::new_simple_literal("New name"),
                GraphNameRef::DefaultGraph,
            ))
            .unwrap();
        assert_eq!(
            labels.of_value(org),
            "Old name",
            "cached until the write is announced"
        );
        cache.invalidate();
        assert_eq!(labels.of_value(org), "New name");
    }

    #[test]
    fn a_label_read_before_a_write_is_not_kept_after_it() {
        let cache = LabelCache::default();
        let term = Term::from(oxigraph::model::NamedNode::new_unchecked("https://example.org/x"));
        let (generation, _) = cache.get(&term);
        cache.invalidate();
        cache.put(generation, term.clone(), Some("stale".into()));
        assert!(cache.is_empty());
    }

    #[test]
    fn local_names() {
        assert_eq!(
            local_name("https://w3id.org/civicgraph/beneficiary/citizens"),
            "citizens"
        );
        assert_eq!(local_name("http://example.org/a#b"), "b");
        assert_eq!(local_name("http://example.org/theme/"), "theme");
    }
}
