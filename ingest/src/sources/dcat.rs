//! The `dcat` source kind: a DCAT or DCAT-AP document in any RDF syntax, possibly one page of
//! a paged catalogue.
//!
//! DCAT is already RDF, so mapping keeps every triple as it is (DCAT-AP asks receivers to
//! pass through what they do not understand). The only triples dropped are the paging
//! controls: the hydra view (`hydra:PartialCollectionView`, or the older
//! `hydra:PagedCollection`) of each page, whose `hydra:next`/`hydra:nextPage` says where the
//! next page is; they describe the page, not the catalogue, and would churn on every run.

use crate::error::Result;
use crate::rdf_document;
use civicgraph_vocab::ext::hydra;
use oxigraph::io::RdfFormat;
use oxigraph::model::vocab::rdf;
use oxigraph::model::{NamedOrBlankNode, Term, Triple};
use std::collections::HashSet;

/// One page of a DCAT document.
#[derive(Debug, Clone)]
pub struct Page {
    /// The catalogue's triples on this page, paging controls removed.
    pub triples: Vec<Triple>,
    /// The next page's URL, from `hydra:next` or `hydra:nextPage`.
    pub next: Option<String>,
}

/// Parses one page. `base` is the document's URL (for relative IRIs); `document` names it
/// in errors.
pub fn read_page(bytes: &[u8], format: RdfFormat, base: Option<&str>, document: &str) -> Result<Page> {
    let triples = rdf_document::parse(bytes, format, base, document)?;
    Ok(split_paging(triples))
}

/// Separates the paging controls from the catalogue's triples.
pub fn split_paging(triples: Vec<Triple>) -> Page {
    let views: HashSet<NamedOrBlankNode> = triples
        .iter()
        .filter(|t| {
            (t.predicate == rdf::TYPE
                && matches!(&t.object, Term::NamedNode(c)
                    if c.as_ref() == hydra::PARTIAL_COLLECTION_VIEW || c.as_ref() == hydra::PAGED_COLLECTION))
                || t.predicate.as_ref() == hydra::NEXT
                || t.predicate.as_ref() == hydra::NEXT_PAGE
        })
        .map(|t| t.subject.clone())
        .collect();
    let mut next = None;
    let mut kept = Vec::with_capacity(triples.len());
    for t in triples {
        if views.contains(&t.subject) {
            if (t.predicate.as_ref() == hydra::NEXT || t.predicate.as_ref() == hydra::NEXT_PAGE)
                && let Term::NamedNode(n) = &t.object
            {
                next = Some(n.as_str().to_owned());
            }
            continue;
        }
        if t.predicate.as_ref() == hydra::VIEW {
            continue;
        }
        kept.push(t);
    }
    Page { triples: kept, next }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_controls_give_the_next_page_and_are_not_kept() {
        let page = br#"
            @prefix hydra: <http://www.w3.org/ns/hydra/core#> . @prefix dcat: <http://www.w3.org/ns/dcat#> .
            <https://hub.example.org/catalog> a dcat:Catalog ; dcat:dataset <https://hub.example.org/d/1> ;
                hydra:view <https://hub.example.org/catalog?page=1> .
            <https://hub.example.org/catalog?page=1> a hydra:PartialCollectionView ;
                hydra:next <?page=2> ; hydra:first <?page=1> .
        "#;
        let page = read_page(
            page,
            RdfFormat::Turtle,
            Some("https://hub.example.org/catalog?page=1"),
            "p1",
        )
        .unwrap();
        assert_eq!(
            page.next.as_deref(),
            Some("https://hub.example.org/catalog?page=2")
        );
        assert_eq!(page.triples.len(), 2, "{:#?}", page.triples);
    }
}
