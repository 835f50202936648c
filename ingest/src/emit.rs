//! Building triples from untrusted JSON and CSV values.
//!
//! The JSON and CSV mappers (CKAN, `data.json`, case studies) write through an [`Emitter`]
//! so that the same rules hold for all of them: empty values are skipped, text is trimmed,
//! and a value becomes an IRI only if it is an absolute IRI with a scheme a catalogue may
//! link to (`http`, `https`, `ftp`, `mailto`, `urn`, `doi`); `javascript:`, `data:` and
//! `file:` values are never turned into links.

use civicgraph_vocab::ext::schema;
use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{BlankNode, Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, Term, Triple};
use oxiri::Iri;

/// Schemes a harvested value may use to become an IRI.
const LINK_SCHEMES: &[&str] = &["http", "https", "ftp", "mailto", "urn", "doi"];

/// `text` as an IRI if it is an absolute IRI with an allowed scheme and no spaces or
/// control characters.
pub fn absolute_iri(text: &str) -> Option<NamedNode> {
    let text = text.trim();
    if text.is_empty() || text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let iri = Iri::parse(text).ok()?;
    let scheme = iri.scheme().to_ascii_lowercase();
    if !LINK_SCHEMES.contains(&scheme.as_str()) {
        return None;
    }
    if (scheme == "http" || scheme == "https") && iri.authority().is_none_or(str::is_empty) {
        return None;
    }
    NamedNode::new(text).ok()
}

/// [`absolute_iri`], also for a web address written without its scheme, as catalogues'
/// and collections' forms let people type it (`www.axesat.mx`), read as `http://…`.
pub fn web_address(text: &str) -> Option<NamedNode> {
    absolute_iri(text).or_else(|| {
        let text = text.trim();
        // `www.` and a host with a dot in it: `www.example` is more likely a word.
        let host = text.get(..4).filter(|start| start.eq_ignore_ascii_case("www."))?;
        let rest = &text[host.len()..];
        let domain = rest.split(['/', '?', '#']).next().unwrap_or_default();
        (domain.contains('.') && !domain.starts_with('.'))
            .then(|| absolute_iri(&format!("http://{text}")))
            .flatten()
    })
}

/// An `xsd:decimal` literal of `x` to three places, in the canonical form the store gives
/// back (`1.0`, not `1.000`), so that a value written and read again compares equal.
pub fn decimal(x: f64) -> Literal {
    let literal = Literal::new_typed_literal(format!("{x:.3}"), xsd::DECIMAL);
    crate::literals::canonical(&literal).unwrap_or(literal)
}

/// Whitespace runs collapsed to one space, ends trimmed: how free text from a document's
/// markup or a collection's fields (line breaks, indentation) is kept.
pub fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Collects triples for one mapped document.
#[derive(Debug, Default)]
pub struct Emitter {
    /// What has been emitted.
    pub triples: Vec<Triple>,
}

impl Emitter {
    /// A new blank node; the minter names it after mapping.
    pub fn blank(&self) -> BlankNode {
        BlankNode::default()
    }

    /// Adds a triple.
    pub fn add(
        &mut self,
        subject: impl Into<NamedOrBlankNode>,
        predicate: NamedNodeRef<'_>,
        object: impl Into<Term>,
    ) {
        self.triples
            .push(Triple::new(subject.into(), predicate.into_owned(), object.into()));
    }

    /// Adds a link to `value`, an IRI this mapper chose (an EU authority table's format or
    /// licence, a media type), typed with the class DCAT-AP gives the property's values:
    /// the publisher gave a word, the mapping gives a described node, as ckanext-dcat does.
    pub fn add_typed(
        &mut self,
        subject: &NamedOrBlankNode,
        predicate: NamedNodeRef<'_>,
        value: NamedNode,
        class: NamedNodeRef<'_>,
    ) {
        self.add(value.clone(), rdf::TYPE, class.into_owned());
        self.add(subject.clone(), predicate, value);
    }

    /// [`Emitter::link`], typing the linked page with `class` (a landing page or home page
    /// is a `foaf:Document` in DCAT-AP); returns whether `value` was an IRI.
    pub fn link_typed(
        &mut self,
        subject: &NamedOrBlankNode,
        predicate: NamedNodeRef<'_>,
        value: &str,
        class: NamedNodeRef<'_>,
    ) -> bool {
        match web_address(value) {
            Some(iri) => {
                self.add_typed(subject, predicate, iri, class);
                true
            }
            None => self.link(subject, predicate, value),
        }
    }

    /// Adds `value` as a plain literal, trimmed; nothing if it is empty.
    pub fn text(&mut self, subject: &NamedOrBlankNode, predicate: NamedNodeRef<'_>, value: &str) {
        let value = value.trim();
        if !value.is_empty() {
            self.add(subject.clone(), predicate, Literal::new_simple_literal(value));
        }
    }

    /// Adds `value` as a literal tagged with `language` (if the tag is well-formed).
    pub fn lang_text(
        &mut self,
        subject: &NamedOrBlankNode,
        predicate: NamedNodeRef<'_>,
        value: &str,
        language: &str,
    ) {
        let value = value.trim();
        if value.is_empty() {
            return;
        }
        let literal = Literal::new_language_tagged_literal(value, language)
            .unwrap_or_else(|_| Literal::new_simple_literal(value));
        self.add(subject.clone(), predicate, literal);
    }

    /// Adds `value` as a typed literal.
    pub fn typed(
        &mut self,
        subject: &NamedOrBlankNode,
        predicate: NamedNodeRef<'_>,
        value: &str,
        datatype: NamedNodeRef<'_>,
    ) {
        let value = value.trim();
        if !value.is_empty() {
            self.add(
                subject.clone(),
                predicate,
                Literal::new_typed_literal(value, datatype),
            );
        }
    }

    /// Adds `value` as an IRI if it is one (see [`web_address`]); returns whether it was.
    pub fn link(&mut self, subject: &NamedOrBlankNode, predicate: NamedNodeRef<'_>, value: &str) -> bool {
        match web_address(value) {
            Some(iri) => {
                self.add(subject.clone(), predicate, iri);
                true
            }
            None => false,
        }
    }

    /// A `mailto:` link to `address` (given with or without its scheme); false when it
    /// makes no IRI.
    pub fn email(&mut self, subject: &NamedOrBlankNode, predicate: NamedNodeRef<'_>, address: &str) -> bool {
        let address = address.trim().trim_start_matches("mailto:");
        self.link(subject, predicate, &format!("mailto:{address}"))
    }

    /// Keeps a field the mapping does not understand, as schema.org's key/value pattern:
    /// `subject schema:additionalProperty [ a schema:PropertyValue ; schema:name key ;
    /// schema:value value ]`. DCAT-AP asks receivers to pass through what they do not
    /// understand; this is how JSON fields pass through.
    pub fn additional_property(&mut self, subject: &NamedOrBlankNode, key: &str, value: &str) {
        let node: NamedOrBlankNode = self.blank().into();
        self.add(subject.clone(), schema::ADDITIONAL_PROPERTY, node.clone());
        self.add(node.clone(), rdf::TYPE, schema::PROPERTY_VALUE);
        self.text(&node, schema::NAME, key);
        self.text(&node, schema::VALUE, value);
    }

    /// Adds `value` as an IRI if it is one, else as a plain literal.
    pub fn link_or_text(&mut self, subject: &NamedOrBlankNode, predicate: NamedNodeRef<'_>, value: &str) {
        if !self.link(subject, predicate, value) {
            self.text(subject, predicate, value);
        }
    }
}

/// The text of a JSON scalar (strings as they are, numbers and booleans printed), or
/// `None` for null, arrays and objects.
pub fn scalar_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The items of a list field as given (a scalar is a list of one), empty ones included:
/// they count where a list is joined as it was written.
pub fn list_items(value: Option<&serde_json::Value>) -> Vec<String> {
    match value {
        Some(serde_json::Value::Array(items)) => items.iter().filter_map(scalar_text).collect(),
        Some(v) => scalar_text(v).into_iter().collect(),
        None => Vec::new(),
    }
}

/// The strings of a JSON value that may be one string or an array of them (or, as
/// catalogues write, one string of comma-separated values when `split` is set).
pub fn string_list(value: Option<&serde_json::Value>, split: bool) -> Vec<String> {
    let mut out = list_items(value);
    if split {
        out = out
            .iter()
            .flat_map(|s| s.split([',', ';']).map(str::to_owned).collect::<Vec<_>>())
            .collect();
    }
    out.into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_safe_absolute_iris_become_links() {
        for good in ["https://x.org/a", "http://x.org", "mailto:a@b.org", "urn:isbn:1"] {
            assert!(absolute_iri(good).is_some(), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "data:text/html,<script>",
            "file:///etc/passwd",
            "relative/path",
            "https://x.org/a b",
            "https://x.org/\u{7}",
            "http:///nohost",
            "",
        ] {
            assert!(absolute_iri(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn web_addresses_without_their_scheme() {
        assert_eq!(
            web_address(" www.axesat.mx ").unwrap().as_str(),
            "http://www.axesat.mx"
        );
        assert_eq!(
            web_address("WWW.Example.org/a").unwrap().as_str(),
            "http://WWW.Example.org/a"
        );
        assert_eq!(web_address("https://x.org").unwrap().as_str(), "https://x.org");
        for bad in ["www.a b.org", "www.", "example.org", "wwwexample"] {
            assert!(web_address(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn lists_come_as_arrays_or_separated_strings() {
        let v = serde_json::json!(["a", " b ", "", 3]);
        assert_eq!(string_list(Some(&v), false), ["a", "b", "3"]);
        let v = serde_json::json!("x, y;z");
        assert_eq!(string_list(Some(&v), true), ["x", "y", "z"]);
        assert!(string_list(None, true).is_empty());
    }
}
