//! The `dcat` source kind: a DCAT or DCAT-AP document in any RDF syntax, possibly one page of
//! a paged catalogue.
//!
//! DCAT is already RDF, so mapping keeps every triple as it is (DCAT-AP asks receivers to
//! pass through what they do not understand). The only triples dropped are the paging
//! controls: the hydra view (`hydra:PartialCollectionView`, or the older
//! `hydra:PagedCollection`) of each page, whose `hydra:next`/`hydra:nextPage` says where the
//! next page is; they describe the page, not the catalogue, and would churn on every run.
//!
//! [`read`] owns the reading: a file whole, or a URL page by page, following each page's
//! hydra `next` or HTTP `Link: rel="next"` until none is left (at most `max_pages`, each
//! page once). A JSON-LD document naming a remote `@context` that is not bundled is read
//! again once the context is fetched, when its host is the source's own or one of its
//! `allow_hosts` ([`with_contexts`]): the operator, not the harvested file, chooses where
//! the harvester sends requests.

use crate::config::{HarvestSettings, SourceConfig};
use crate::document::{self, DocumentKind};
use crate::error::{IngestError, Result};
use crate::fetch::Fetcher;
use crate::harvest::Progress;
use crate::mint::Minter;
use crate::rdf_document;
use crate::report::Report;
use crate::syntax;
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
/// in errors. The faults real exports carry that [`rdf_document::parse_leniently`] reads
/// past are read past, with a warning in `report`.
pub fn read_page(
    bytes: &[u8],
    format: RdfFormat,
    base: Option<&str>,
    document: &str,
    report: &mut Report,
) -> Result<Page> {
    let (triples, note) = rdf_document::parse_leniently(bytes, format, base, document)?;
    report.warnings.extend(note);
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

/// A warning when relative IRIs of a file read without `base` resolved against the file's
/// own `file://` URL: they then name files on the harvesting machine (an Italian municipal
/// export's `dct:format rdf:resource="CSV"` became `<file:///…/dcat-ap-it/CSV>`), which
/// nobody else can dereference and which change when the file moves. The source's `base`,
/// where the file was published, makes them the publisher's IRIs.
pub fn resolved_against_file(triples: &[Triple], base: &str, source: &str) -> Option<String> {
    let folder = &base[..base.rfind('/').map_or(base.len(), |slash| slash + 1)];
    if !folder.starts_with("file:") {
        return None;
    }
    let mut terms: HashSet<&str> = HashSet::new();
    for t in triples {
        let subject = match &t.subject {
            NamedOrBlankNode::NamedNode(n) => Some(n.as_str()),
            NamedOrBlankNode::BlankNode(_) => None,
        };
        let object = match &t.object {
            Term::NamedNode(n) => Some(n.as_str()),
            _ => None,
        };
        terms.extend(
            [subject, Some(t.predicate.as_str()), object]
                .into_iter()
                .flatten()
                .filter(|iri| iri.starts_with(folder))
                // An e-mail address without `mailto:` is read back as one (`crate::iris`),
                // with its own warning: `base` would not mend it.
                .filter(|iri| crate::iris::bare_email(iri).is_none()),
        );
    }
    let example = terms.iter().min()?;
    Some(format!(
        "source {source}: {} relative IRIs resolved against the file's own URL, so they name \
         files on this machine (e.g. <{example}>); set base to the URL the file was published at",
        terms.len()
    ))
}

/// The most remote contexts one document may have fetched for it.
const MAX_CONTEXTS_PER_DOCUMENT: usize = 8;

/// Runs `parse`, and when it names a remote JSON-LD context not yet known whose host the
/// source names (its `url`'s or one of `allow_hosts`), fetches the context, keeps it for
/// the process ([`rdf_document::remember_context`]) and runs `parse` again.
async fn with_contexts<T>(
    fetcher: &Fetcher,
    report: &mut Report,
    mut parse: impl FnMut(&mut Report) -> Result<T>,
) -> Result<T> {
    for _ in 0..MAX_CONTEXTS_PER_DOCUMENT {
        match parse(report) {
            Err(IngestError::RemoteContext { document, url }) if fetcher.names_host(&url) => {
                let fetched = fetcher
                    .get(&url, "application/ld+json, application/json;q=0.9, */*;q=0.1")
                    .await?;
                if !rdf_document::remember_context(&url, &fetched.bytes) {
                    return Err(IngestError::Shape {
                        document,
                        message: format!(
                            "the remote JSON-LD context {url} is longer than {} bytes, or the \
                             process keeps too many contexts already",
                            rdf_document::MAX_CONTEXT_BYTES
                        ),
                    });
                }
                report
                    .warnings
                    .push(format!("{document}: fetched the remote JSON-LD context {url}"));
            }
            other => return other,
        }
    }
    parse(report)
}

/// What the RDF `Accept` header asks for, best first.
pub(crate) const RDF_ACCEPT: &str = "text/turtle, application/n-triples;q=0.9, application/ld+json;q=0.9, application/rdf+xml;q=0.8, application/n-quads;q=0.7, application/trig;q=0.7, */*;q=0.1";

/// Reads the whole catalogue of a `dcat` source: its file, or every page from its URL.
pub(crate) async fn read(
    source: &SourceConfig,
    settings: &HarvestSettings,
    fetcher: &Fetcher,
    minter: &Minter,
    report: &mut Report,
    progress: &Progress,
) -> Result<Vec<Triple>> {
    if let Some(path) = &source.path {
        let (bytes, name, base) = super::read_source_file(source, path, settings)?;
        report.documents.push(name.clone());
        let triples = with_contexts(fetcher, report, |report| {
            document::map(
                DocumentKind::Dcat,
                &bytes,
                &name,
                source.format.as_deref(),
                None,
                Some(&base),
                "",
                minter,
                report,
            )
        })
        .await?;
        if source.base.is_none() {
            report
                .warnings
                .extend(resolved_against_file(&triples, &base, &source.id));
        }
        return Ok(triples);
    }
    let mut url = source
        .url
        .clone()
        .ok_or_else(|| IngestError::Config(format!("source {}: give url or path", source.id)))?;
    let mut seen = HashSet::new();
    let mut triples = Vec::new();
    for page in 1.. {
        if page > settings.max_pages {
            return Err(IngestError::Http {
                url,
                message: format!(
                    "more than {} pages; raise harvest.max_pages if this is right",
                    settings.max_pages
                ),
            });
        }
        seen.insert(url.clone());
        let fetched = fetcher.get(&url, RDF_ACCEPT).await?;
        let format = syntax::detect(
            source.format.as_deref(),
            fetched.content_type.as_deref(),
            Some(&fetched.url),
        )?;
        let parsed = with_contexts(fetcher, report, |report| {
            read_page(&fetched.bytes, format, Some(&fetched.url), &fetched.url, report)
        })
        .await?;
        report.documents.push(fetched.url.clone());
        triples.extend(parsed.triples);
        progress(&format!("page {page}: {} triples", triples.len()));
        match parsed.next.or(fetched.next) {
            Some(next) if !seen.contains(&next) => url = next,
            _ => break,
        }
    }
    Ok(triples)
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
            &mut Report::default(),
        )
        .unwrap();
        assert_eq!(
            page.next.as_deref(),
            Some("https://hub.example.org/catalog?page=2")
        );
        assert_eq!(page.triples.len(), 2, "{:#?}", page.triples);
    }

    #[test]
    fn relative_iris_resolved_against_a_file_are_named_in_a_warning() {
        let document = br#"
            @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
            <https://example.org/d/1> a dcat:Dataset ; dct:publisher <c_a182> ;
                dcat:distribution [ dct:format <CSV> ; dcat:downloadURL <https://example.org/d/1.csv> ] .
        "#;
        let read = |base: &str| {
            read_page(
                document,
                RdfFormat::Turtle,
                Some(base),
                "d",
                &mut Report::default(),
            )
        };
        let base = "file:///srv/exports/catalog.ttl";
        let warning = resolved_against_file(&read(base).unwrap().triples, base, "alessandria").unwrap();
        assert!(
            warning.starts_with("source alessandria: 2 relative IRIs"),
            "{warning}"
        );
        assert!(warning.contains("<file:///srv/exports/CSV>"), "{warning}");
        assert!(warning.contains("set base"), "{warning}");
        // Resolved against where the file was published, they are the publisher's IRIs.
        let published = "https://opendata.example.org/catalog.ttl";
        assert_eq!(
            resolved_against_file(&read(published).unwrap().triples, published, "a"),
            None
        );
        // A file with no relative IRI warns of nothing.
        let absolute = br#"<https://example.org/d/1> a <http://www.w3.org/ns/dcat#Dataset> ."#;
        let page = read_page(
            absolute,
            RdfFormat::Turtle,
            Some(base),
            "d",
            &mut Report::default(),
        )
        .unwrap();
        assert_eq!(resolved_against_file(&page.triples, base, "a"), None);
    }
}
