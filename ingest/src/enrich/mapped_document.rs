//! One document mapped exactly as a harvest maps it, into a store of its own, with the one
//! record reader over it: what `tag --explain FILE`, `eval-tagger`'s document inputs and
//! `eval-linker`'s snapshots read, so that each sees a file as the graph would hold it.

use crate::document::{self, DocumentKind};
use crate::enrich::tag::records_in;
use crate::error::{IngestError, Result};
use crate::mint::Minter;
use crate::report::{FinishOptions, Report, finish};
use civicgraph_graph::{LabelCache, Labels, Layout, RecordReader};
use oxigraph::model::{NamedNode, Quad};
use oxigraph::store::Store;

/// The source name a mapped document's records are minted under.
const SOURCE: &str = "explain";

/// The portal a CKAN response's packages are named under when the document was not read
/// from the portal: a harvest asks for the portal's address (`base`), an explanation only
/// needs the records.
pub const UNKNOWN_PORTAL: &str = "urn:civicgraph:unknown-portal";

/// A document (any kind a harvest reads) mapped into a store of its own.
pub struct MappedDocument {
    store: Store,
    cache: LabelCache,
    layout: Layout,
    /// Its datasets and case studies, in IRI order.
    pub records: Vec<NamedNode>,
}

impl std::fmt::Debug for MappedDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MappedDocument")
            .field("records", &self.records)
            .finish_non_exhaustive()
    }
}

impl MappedDocument {
    /// Maps `bytes`, read from `name`, as a harvest of a source would (without validation);
    /// `base` resolves relative IRIs in RDF (for a file, [`crate::fetch::file_base_iri`]);
    /// a CKAN response's packages are named under it when it is a web address, as a
    /// harvest names them under the portal's, else under [`UNKNOWN_PORTAL`]. A document none
    /// of whose records could be mapped is an error naming the first that was refused, not
    /// an empty answer.
    pub fn map(bytes: &[u8], name: &str, base: Option<&str>) -> Result<Self> {
        let kind = DocumentKind::guess(name, bytes).ok_or_else(|| {
            IngestError::shape(
                name,
                "not a case-study file, CKAN response, data.json or RDF document",
            )
        })?;
        let layout = Layout::default();
        let minter = Minter::new(&layout, SOURCE)?;
        let mut report = Report::default();
        let portal = base
            .filter(|b| b.starts_with("http://") || b.starts_with("https://"))
            .unwrap_or(UNKNOWN_PORTAL);
        let triples = document::map(kind, bytes, name, None, None, base, portal, &minter, &mut report)?;
        let output = finish(
            triples,
            &minter,
            report,
            FinishOptions {
                skip_validation: true,
                ..FinishOptions::default()
            },
        );
        let store = Store::new()?;
        let graph = layout.source_graph(SOURCE)?;
        store.extend(
            output
                .triples
                .into_iter()
                .map(|t| Quad::new(t.subject, t.predicate, t.object, graph.clone())),
        )?;
        let records = records_in(&store, &[])?;
        if records.is_empty()
            && let Some(refused) = output.report.rejections.first()
        {
            return Err(IngestError::shape(
                &refused.position,
                format!(
                    "{}: {} (no record of the document could be mapped)",
                    refused.record, refused.reason
                ),
            ));
        }
        Ok(Self {
            store,
            cache: LabelCache::default(),
            layout,
            records,
        })
    }

    /// The store the document was mapped into.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Labels resolved over the document's store (and the vocabulary's tables).
    pub fn labels(&self) -> Labels<'_> {
        Labels::new(&self.store, &self.cache)
    }

    /// The layout its graphs are named by.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// A reader of the document's records.
    pub fn reader(&self) -> RecordReader<'_> {
        RecordReader::new(self.labels(), &self.layout)
    }
}
