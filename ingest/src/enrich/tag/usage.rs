//! Which case studies used a dataset, and the patterns it takes from them: asked of what a
//! pass read beforehand ([`Known`]) where that is complete, else of the store, one question
//! at a time, so that a pass over every record and the tagging of one record follow the
//! one algorithm ([`usage`]).

use super::known::Known;
use super::{CaseStudyPatterns, Method};
use crate::error::Result;
use civicgraph_vocab::cg;
use civicgraph_vocab::ext::dcat;
use oxigraph::model::vocab::rdf;
use oxigraph::model::{GraphName, NamedNode, NamedOrBlankNode, Term};
use oxigraph::store::Store;

/// A case study that used a dataset (or another member of its cluster).
#[derive(Debug)]
pub(super) struct Use {
    pub(super) case: NamedNode,
    pub(super) title: String,
    /// Its patterns and how each was assigned: curated by its source, or inferred (as the
    /// last tagging run stored it).
    pub(super) patterns: Vec<(String, Method)>,
}

/// Where tagging asks what the graph says around a record: what `known` holds, when a pass
/// read it beforehand and it answers the question, else the store.
#[derive(Clone, Copy)]
pub(super) struct Lookup<'a> {
    pub(super) store: &'a Store,
    pub(super) known: Option<&'a Known>,
}

impl Lookup<'_> {
    /// The patterns stated for `subject` (`cg:usePattern`), with the graph of each.
    pub(super) fn stated(&self, subject: &NamedNode) -> Result<Vec<(NamedNode, GraphName)>> {
        if let Some(known) = self.known {
            return Ok(known.stated.get(subject).cloned().unwrap_or_default());
        }
        let mut stated = Vec::new();
        for quad in self
            .store
            .quads_for_pattern(Some(subject.into()), Some(cg::USE_PATTERN), None, None)
        {
            let quad = quad?;
            if let Term::NamedNode(pattern) = quad.object {
                stated.push((pattern, quad.graph_name));
            }
        }
        Ok(stated)
    }

    /// Whether `record` is typed `dcat:Dataset` in some graph.
    pub(super) fn is_dataset(&self, record: &NamedNode) -> Result<bool> {
        if let Some(datasets_too) = self.known.and_then(|known| known.datasets_too.as_ref()) {
            return Ok(datasets_too.contains(record));
        }
        Ok(self
            .store
            .quads_for_pattern(
                Some(record.into()),
                Some(rdf::TYPE),
                Some(dcat::DATASET.into()),
                None,
            )
            .next()
            .transpose()?
            .is_some())
    }

    /// `record` and the other members of its clusters: those this run found, and those the
    /// store states unless `known` says it states none.
    fn members(&self, record: &NamedNode) -> Result<Vec<NamedNode>> {
        let mut members = vec![record.clone()];
        let found = self.known.and_then(|known| known.found_clusters.get(record));
        for member in found.into_iter().flat_map(|m| m.iter()) {
            if !members.contains(member) {
                members.push(member.clone());
            }
        }
        if self.known.is_some_and(|known| !known.clustered) {
            return Ok(members);
        }
        for quad in self
            .store
            .quads_for_pattern(Some(record.into()), Some(cg::CLUSTER), None, None)
        {
            if let Term::NamedNode(cluster) = quad?.object {
                for member in
                    self.store
                        .quads_for_pattern(None, Some(cg::CLUSTER), Some(cluster.as_ref().into()), None)
                {
                    if let NamedOrBlankNode::NamedNode(m) = member?.subject
                        && !members.contains(&m)
                    {
                        members.push(m);
                    }
                }
            }
        }
        Ok(members)
    }

    /// Adds to `cases` the case studies that use `dataset` (`cg:usesDataset`).
    fn users(&self, dataset: &NamedNode, cases: &mut Vec<NamedNode>) -> Result<()> {
        if let Some(known) = self.known {
            for case in known.used.get(dataset).into_iter().flatten() {
                if !cases.contains(case) {
                    cases.push(case.clone());
                }
            }
            return Ok(());
        }
        for quad in self
            .store
            .quads_for_pattern(None, Some(cg::USES_DATASET), Some(dataset.into()), None)
        {
            if let NamedOrBlankNode::NamedNode(case) = quad?.subject
                && !cases.contains(&case)
            {
                cases.push(case);
            }
        }
        Ok(())
    }

    /// The title of `case`: the least, when it has several, so that every path names a
    /// case study the same way.
    fn title(&self, case: &NamedNode) -> Result<Option<String>> {
        if let Some(titles) = self.known.and_then(|known| known.titles.as_ref()) {
            return Ok(titles.get(case).cloned());
        }
        let mut least: Option<String> = None;
        for quad in self.store.quads_for_pattern(
            Some(case.into()),
            Some(civicgraph_vocab::ext::dct::TITLE),
            None,
            None,
        ) {
            if let Term::Literal(title) = quad?.object
                && least.as_deref().is_none_or(|kept| title.value() < kept)
            {
                least = Some(title.value().to_owned());
            }
        }
        Ok(least)
    }
}

/// The case studies that used `record`, through `cg:usesDataset` to it or to another member
/// of its `cg:cluster` (the same dataset in another catalogue, the clusters this run found
/// counted too), with their patterns as this run assigned them (`fresh`) or as a graph
/// states them (those of the `derived` graphs inferred).
pub(super) fn usage(
    lookup: Lookup<'_>,
    record: &NamedNode,
    derived: &[NamedNode],
    fresh: &CaseStudyPatterns,
) -> Result<Vec<Use>> {
    let mut cases = Vec::new();
    for member in lookup.members(record)? {
        lookup.users(&member, &mut cases)?;
    }
    let mut uses = Vec::new();
    for case in cases {
        let mut patterns = StatedPatterns::default();
        for (pattern, graph) in lookup.stated(&case)? {
            let in_derived = matches!(&graph, GraphName::NamedNode(g) if derived.contains(g));
            patterns.note(&pattern, in_derived);
        }
        uses.extend(patterns.into_use(&case, lookup.title(&case)?, fresh));
    }
    sort_uses(&mut uses);
    Ok(uses)
}

/// Orders uses as a dataset's evidence lists them: by title, then by case study (two may
/// share a title).
fn sort_uses(uses: &mut [Use]) {
    uses.sort_by(|a, b| (&a.title, &a.case).cmp(&(&b.title, &b.case)));
}

/// The patterns the graphs state for one case study, gathered into its [`Use`]: each
/// pattern once, curated (stated by a source) above inferred (stated by a derived graph).
#[derive(Default)]
struct StatedPatterns(Vec<(String, Method)>);

impl StatedPatterns {
    /// Notes `pattern`, stated in a derived graph or not.
    fn note(&mut self, pattern: &NamedNode, derived: bool) {
        let local = pattern.as_str().rsplit('/').next().unwrap_or_default().to_owned();
        if local == "none" {
            return;
        }
        let method = if derived {
            Method::Inferred
        } else {
            Method::Curated
        };
        match self.0.iter_mut().find(|(p, _)| *p == local) {
            Some(existing) if method == Method::Curated => existing.1 = Method::Curated,
            Some(_) => {}
            None => self.0.push((local, method)),
        }
    }

    /// The use of `case`, titled `title`: its curated patterns when it has any, else the
    /// inferred ones, unless this run assigned it patterns (`fresh`); none without patterns.
    fn into_use(self, case: &NamedNode, title: Option<String>, fresh: &CaseStudyPatterns) -> Option<Use> {
        let mut patterns = self.0;
        if patterns.iter().any(|(_, m)| *m == Method::Curated) {
            patterns.retain(|(_, m)| *m == Method::Curated);
        }
        if let Some(assigned) = fresh.get(case) {
            patterns.clone_from(assigned);
        }
        (!patterns.is_empty()).then(|| Use {
            case: case.clone(),
            title: title.unwrap_or_else(|| case.as_str().to_owned()),
            patterns,
        })
    }
}
