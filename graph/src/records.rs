//! The one record view: what every consumer of a record reads of it. The search index, the
//! tagger, the linker and the record API all take a [`Record`], built once per record by a
//! [`RecordReader`] with the one label resolution ([`crate::Labels`]).
//!
//! It uses direct pattern lookups, not SPARQL, because it runs once per changed record on
//! every write. What a record says comes from the graphs that type it (its sources) and
//! from civicgraph's tags and links: another source cannot add titles, pages or types to a
//! record it does not hold.

use crate::assignment::Assignment;
use crate::error::Result;
use crate::labels::{Labels, local_name};
use crate::statements::{Statements, objects};
use civicgraph_vocab::cg;
use civicgraph_vocab::ext::{adms, dcat, dct, foaf, schema, skos, vcard};
use oxigraph::model::vocab::{rdf, rdfs};
use oxigraph::model::{
    GraphName, NamedNode, NamedNodeRef, NamedOrBlankNode, NamedOrBlankNodeRef, Quad, Term, TermRef,
};

/// The kinds of record the search index holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RecordKind {
    /// A `dcat:Dataset`.
    Dataset,
    /// A `cg:CaseStudy`.
    CaseStudy,
    /// A `dcat:Catalog`.
    Catalogue,
}

impl RecordKind {
    /// Every kind, with the class that marks it.
    pub const ALL: [(RecordKind, NamedNodeRef<'static>); 3] = [
        (RecordKind::Dataset, dcat::DATASET),
        (RecordKind::CaseStudy, cg::CASE_STUDY),
        (RecordKind::Catalogue, dcat::CATALOG),
    ];

    /// Every kind, in the order of [`RecordKind::ALL`]: what a scan of every record asks
    /// [`typed_records`] for.
    pub const EVERY: [RecordKind; 3] = [RecordKind::Dataset, RecordKind::CaseStudy, RecordKind::Catalogue];

    /// The stable name used in the index and in APIs.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Dataset => "dataset",
            RecordKind::CaseStudy => "case-study",
            RecordKind::Catalogue => "catalogue",
        }
    }
}

/// One statement typing an IRI as a record: the IRI, its kind and the graph that types it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedRecord {
    /// The record.
    pub iri: NamedNode,
    /// What the statement types it as.
    pub kind: RecordKind,
    /// The graph of the statement (a record typed in two graphs comes once per graph).
    pub graph: GraphName,
}

/// Every statement of `store` typing a named node as one of `kinds`, kind by kind, from
/// the store's type index: the one scan for what records a store holds, for the index
/// (every kind, any graph), the tagger (datasets and case studies outside the derived
/// graphs) and a first refresh (both at once).
pub fn typed_records<'a>(
    store: &'a oxigraph::store::Store,
    kinds: &'a [RecordKind],
) -> impl Iterator<Item = Result<TypedRecord>> + 'a {
    RecordKind::ALL
        .into_iter()
        .filter(|(kind, _)| kinds.contains(kind))
        .flat_map(move |(kind, class)| {
            store
                .quads_for_pattern(None, Some(rdf::TYPE), Some(class.into()), None)
                .filter_map(move |quad| match quad {
                    Ok(Quad {
                        subject: NamedOrBlankNode::NamedNode(iri),
                        graph_name,
                        ..
                    }) => Some(Ok(TypedRecord {
                        iri,
                        kind,
                        graph: graph_name,
                    })),
                    Ok(_) => None,
                    Err(error) => Some(Err(error.into())),
                })
        })
}

/// How an agent is related to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum AgentRole {
    /// `dct:publisher`.
    Publisher,
    /// `dct:creator` or `dct:contributor`.
    Creator,
}

/// A publisher or creator of a record, with what identifies it besides its name: a ministry
/// renamed between two harvests keeps its IRI, home page or e-mail address.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Agent {
    /// Its name (a literal publisher's text, else its label, else its IRI).
    pub name: Option<String>,
    /// Its IRI, when it has one.
    pub iri: Option<String>,
    /// `foaf:homepage`s, as written.
    pub homepages: Vec<String>,
    /// `foaf:mbox` and `vcard:hasEmail` values, as written (`mailto:` IRIs or text).
    pub emails: Vec<String>,
    /// The local names of its `dct:type`s (`LocalAuthority`, ...), or their text.
    pub kinds: Vec<String>,
}

/// Everything civicgraph reads of one record.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Record {
    /// The record's IRI.
    pub iri: String,
    /// What it is; `None` for a record built from plain text.
    pub kind: Option<RecordKind>,
    /// `dct:title`, then `schema:name`, then `rdfs:label` values: the first is the title.
    pub titles: Vec<String>,
    /// `dct:description`, then `schema:abstract`, then `schema:description` values.
    pub descriptions: Vec<String>,
    /// `dcat:keyword`, `schema:keywords`.
    pub keywords: Vec<String>,
    /// Publishers, then creators and contributors.
    pub agents: Vec<(AgentRole, Agent)>,
    /// E-mail addresses of the record's `dcat:contactPoint`s, as written.
    pub contact_emails: Vec<String>,
    /// `dcat:theme`s: IRIs, or text as a source wrote it.
    pub themes: Vec<String>,
    /// The labels of the `dcat:theme`s (IRIs and text alike); a theme nothing names by the
    /// last segment of its IRI.
    pub theme_labels: Vec<String>,
    /// `cg:beneficiary` groups, by IRI.
    pub beneficiaries: Vec<String>,
    /// `cg:actor`s, the sectors of who acts, by IRI.
    pub actors: Vec<String>,
    /// `cg:enabler`s, by IRI.
    pub enablers: Vec<String>,
    /// `cg:channel`s, by IRI.
    pub channels: Vec<String>,
    /// `cg:benefit`s, benefits of co-creation, by IRI.
    pub benefits: Vec<String>,
    /// Its pattern assignments (`cg:patternAssignment`), NONE included, by pattern and the
    /// strongest first: read with [`Parts::assignments`].
    pub assignments: Vec<Assignment>,
    /// `cg:usePattern`s, by IRI, in IRI order: stated by the source or assigned by the tagger.
    pub patterns: Vec<String>,
    /// `dct:identifier` values (text or IRI) and `adms:identifier` notations.
    pub identifiers: Vec<String>,
    /// `dcat:landingPage`s.
    pub landing_pages: Vec<String>,
    /// `dct:source`s: where a case study's account comes from.
    pub sources: Vec<String>,
    /// Its distributions.
    pub distributions: Vec<Distribution>,
    /// The catalogues that list it (`dcat:dataset`).
    pub catalogues: Vec<String>,
    /// Its own places (`dct:spatial`, `schema:spatialCoverage`): IRIs, or text.
    pub places: Vec<String>,
    /// The names of its places and of its catalogues' places.
    pub regions: Vec<String>,
    /// The countries of its places, as codes: the `schema:addressCountry` of a place (a
    /// case study's `GB`), or the code of an EU authority country IRI (`GBR`).
    pub countries: Vec<String>,
    /// Licences of the record itself: IRIs, or as written.
    pub licences: Vec<String>,
    /// The IRIs of the graphs (sources) that hold it.
    pub graphs: Vec<String>,
    /// The first `dct:issued`, else `schema:datePublished`, else `dct:date`, as written.
    pub issued: Option<String>,
    /// `dct:modified`, as written.
    pub modified: Option<String>,
    /// Seconds since the epoch of the record's issue (or else modification) date.
    pub date: Option<i64>,
    /// For a case study: what came of it (`cg:outcome`).
    pub outcome: Option<String>,
    /// For a case study: the datasets it used (`cg:usesDataset`).
    pub uses_datasets: Vec<String>,
    /// The clusters of copies it belongs to (`cg:cluster`, from the links graph).
    pub clusters: Vec<String>,
}

/// A distribution of a dataset.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Distribution {
    /// Its IRI, or its blank node as N-Triples.
    pub iri: String,
    /// Its first title.
    pub title: Option<String>,
    /// Formats and media types: IRIs of the EU file-type table, or as written.
    pub formats: Vec<String>,
    /// `dcat:accessURL`s.
    pub access_urls: Vec<String>,
    /// `dcat:downloadURL`s.
    pub download_urls: Vec<String>,
    /// Licences: IRIs, or as written.
    pub licences: Vec<String>,
}

impl Record {
    /// This record as it reads once `assignments` are written as its tags, when it held
    /// none: a pass that tags what it read indexes the record without reading it again.
    /// Each assignment's pattern becomes a `cg:usePattern` (NONE does not), its confidence
    /// is kept to three decimals and its evidence as a set, in the one order, as the tags
    /// graph gives them back.
    pub fn add_tags(&mut self, assignments: &[Assignment]) {
        for assignment in assignments {
            if assignment.pattern != "none" {
                push_unique(&mut self.patterns, assignment.pattern_iri());
            }
            let mut evidence = assignment.evidence.clone();
            evidence.sort();
            evidence.dedup();
            crate::assignment::order_evidence(&mut evidence);
            self.assignments.push(Assignment {
                pattern: assignment.pattern.clone(),
                method: assignment.method,
                confidence: format!("{:.3}", assignment.confidence)
                    .parse::<f64>()
                    .unwrap_or(assignment.confidence)
                    .clamp(0.0, 1.0),
                evidence,
            });
        }
        self.patterns.sort();
        self.patterns.dedup();
        crate::assignment::sort(&mut self.assignments);
    }

    /// Puts every list of values in one order, whatever order the statements came in: a
    /// record read from a harvest's own triples ([`crate::Pending`]) is then the record the
    /// store gives. Titles and descriptions keep their ranks (the first is what a page
    /// shows); publishers stay before creators.
    fn sort_values(&mut self) {
        for values in [
            &mut self.keywords,
            &mut self.contact_emails,
            &mut self.themes,
            &mut self.theme_labels,
            &mut self.beneficiaries,
            &mut self.actors,
            &mut self.enablers,
            &mut self.channels,
            &mut self.benefits,
            &mut self.identifiers,
            &mut self.landing_pages,
            &mut self.sources,
            &mut self.places,
            &mut self.regions,
            &mut self.countries,
            &mut self.licences,
            &mut self.graphs,
            &mut self.uses_datasets,
            &mut self.clusters,
        ] {
            values.sort();
            // A long list was read without a duplicate check ([`push_unique`]).
            values.dedup();
        }
        self.agents.sort_by(|(role_a, a), (role_b, b)| {
            (*role_a != AgentRole::Publisher, &a.name, &a.iri).cmp(&(
                *role_b != AgentRole::Publisher,
                &b.name,
                &b.iri,
            ))
        });
    }

    /// A record that is only `text`, taken as a description: what `tag --explain` judges
    /// when given words rather than a record.
    pub fn from_text(text: &str) -> Self {
        Self {
            descriptions: vec![text.to_owned()],
            ..Self::default()
        }
    }

    /// What a person is shown as its name: its first title; else its first identifier,
    /// landing page or IRI. A dataset a case study names only by a portal's id or address
    /// has no title, and a search hit, a page or a link to it must still read as something.
    pub fn display_title(&self) -> &str {
        self.titles
            .first()
            .or_else(|| self.identifiers.first())
            .or_else(|| self.landing_pages.first())
            .unwrap_or(&self.iri)
    }

    /// Every free-text field as prose ([`crate::prose::prose`]: no markup, web addresses
    /// or line breaks), titles first: the words a reader of the record weighs.
    pub fn texts(&self) -> impl Iterator<Item = std::borrow::Cow<'_, str>> {
        self.titles
            .iter()
            .chain(&self.descriptions)
            .chain(&self.keywords)
            .map(|text| crate::prose::prose(text))
    }

    /// The names of its publishers, creators and contributors.
    pub fn agent_names(&self) -> Vec<String> {
        unique(self.agents.iter().filter_map(|(_, agent)| agent.name.as_ref()))
    }

    /// The formats of its distributions, each as the one key a format has however it was
    /// written ([`civicgraph_vocab::authority::format_key`]: a file's `dct:format` `CSV`
    /// and its `dcat:mediaType` `text/csv` are one format).
    pub fn formats(&self) -> Vec<String> {
        let formats = self.distributions.iter().flat_map(|d| &d.formats);
        unique(formats.map(|format| civicgraph_vocab::authority::format_key(format)))
    }

    /// Its licences and those of its distributions, a licence's own address as the EU
    /// concept it stands for ([`civicgraph_vocab::authority::licence_key`]).
    pub fn all_licences(&self) -> Vec<String> {
        let all = self
            .licences
            .iter()
            .chain(self.distributions.iter().flat_map(|d| &d.licences));
        unique(all.map(|licence| civicgraph_vocab::authority::licence_key(licence)))
    }

    /// The access and download URLs of its distributions.
    pub fn distribution_urls(&self) -> Vec<String> {
        unique(
            self.distributions
                .iter()
                .flat_map(|d| d.access_urls.iter().chain(&d.download_urls)),
        )
    }

    /// How its patterns were assigned, `curated` or `inferred`; an assignment of NONE
    /// counts as neither.
    pub fn methods(&self) -> Vec<String> {
        let mut methods = Vec::new();
        for a in self.assignments.iter().filter(|a| a.pattern != "none") {
            push_unique(&mut methods, a.method.as_str().to_owned());
        }
        methods
    }

    /// Per ODI pattern IRI, the highest confidence of the assignments that give it; NONE is
    /// not listed.
    pub fn confidences(&self) -> Vec<(String, f64)> {
        let mut best: Vec<(String, f64)> = Vec::new();
        for a in self.assignments.iter().filter(|a| a.pattern != "none") {
            let iri = a.pattern_iri();
            match best.iter_mut().find(|(p, _)| *p == iri) {
                Some((_, c)) => *c = c.max(a.confidence),
                None => best.push((iri, a.confidence)),
            }
        }
        best
    }

    /// Its publishers (`dct:publisher`).
    pub fn publishers(&self) -> impl Iterator<Item = &Agent> {
        self.agents
            .iter()
            .filter(|(role, _)| *role == AgentRole::Publisher)
            .map(|(_, agent)| agent)
    }
}

/// The properties through which a record's document reads another node: its pattern
/// assignments, distributions, agents, contact points, places, identifiers and themes. A
/// write to such a node alone (a publisher renamed by `INSERT DATA`) re-reads the records
/// that point to it through one of these ([`crate::Graph`]'s index following).
pub(crate) const FOLLOWED: [NamedNodeRef<'static>; 10] = [
    cg::PATTERN_ASSIGNMENT_PROPERTY,
    dcat::DISTRIBUTION_PROPERTY,
    dct::PUBLISHER,
    dct::CREATOR,
    dct::CONTRIBUTOR,
    dcat::CONTACT_POINT,
    dct::SPATIAL,
    schema::SPATIAL_COVERAGE,
    adms::IDENTIFIER,
    dcat::THEME,
];

/// Reads records, remembering the agents they point to in the graph's label cache: a
/// catalogue has a few hundred publishers for many thousands of records, so a rebuild of
/// the index, a tagging or a linking looks each one up once, not once per record.
pub struct RecordReader<'a> {
    labels: Labels<'a>,
    /// civicgraph's own graphs whose statements about a record count (tags, links).
    derived: [GraphName; 2],
    parts: Parts,
}

/// The parts of a record that cost lookups beyond the record's own statements. Every reader
/// of the index and the record page reads them all; the tagger, which reads neither, and
/// the linker, which needs only distributions, leave the others empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    /// `distributions` (and what `formats()`, `all_licences()` and `distribution_urls()`
    /// derive from them): one lookup per distribution.
    pub distributions: bool,
    /// `catalogues`, and the places of the catalogues in `regions`: a reverse lookup, and
    /// one per catalogue.
    pub catalogues: bool,
    /// `assignments`: one lookup per pattern assignment.
    pub assignments: bool,
}

impl Parts {
    /// Everything.
    pub const ALL: Self = Self {
        distributions: true,
        catalogues: true,
        assignments: true,
    };
    /// The record's own statements only.
    pub const OWN: Self = Self {
        distributions: false,
        catalogues: false,
        assignments: false,
    };
}

impl std::fmt::Debug for RecordReader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordReader")
            .field("labels", &self.labels)
            .finish_non_exhaustive()
    }
}

impl<'a> RecordReader<'a> {
    /// A reader of the store `labels` reads, whose graphs are laid out as `layout` says.
    pub fn new(labels: Labels<'a>, layout: &crate::Layout) -> Self {
        Self {
            labels,
            derived: [layout.tags_graph().into(), layout.links_graph().into()],
            parts: Parts::ALL,
        }
    }

    /// This reader, reading only `parts` beyond the record's own statements.
    #[must_use]
    pub fn with_parts(mut self, parts: Parts) -> Self {
        self.parts = parts;
        self
    }

    /// The store it reads.
    pub fn store(&self) -> &'a oxigraph::store::Store {
        self.labels.store()
    }

    /// Reads the record at `iri`, or `None` when it is not a dataset, case study or
    /// catalogue.
    pub fn read(&mut self, iri: NamedNodeRef<'_>) -> Result<Option<Record>> {
        let statements = self.labels.statements();
        let mut record = Record {
            iri: iri.as_str().to_owned(),
            ..Record::default()
        };
        // Values by the rank of the property they came from: a page shows the first one.
        let mut titles: Vec<(usize, String)> = Vec::new();
        let mut descriptions: Vec<(usize, String)> = Vec::new();
        let mut issued: Vec<(usize, String)> = Vec::new();
        let mut modified = Vec::new();
        let mut outcomes = Vec::new();
        // A record held by several sources names its agents and distributions in each.
        let mut agents_seen: Vec<(AgentRole, Term)> = Vec::new();
        let quads: Vec<Quad> = statements.about(iri.into(), None)?;
        let owners: Vec<GraphName> = quads
            .iter()
            .filter(|q| q.predicate.as_ref() == rdf::TYPE)
            .map(|q| q.graph_name.clone())
            .chain(self.derived.iter().cloned())
            .collect();
        let mut creators = Vec::new();
        for quad in quads.iter().filter(|q| owners.contains(&q.graph_name)) {
            let p = quad.predicate.as_ref();
            let o = quad.object.as_ref();
            if p == rdf::TYPE {
                for (kind, class) in RecordKind::ALL {
                    if o == class.into() {
                        // A record typed several ways is the first of `RecordKind::ALL`
                        // (a dataset before a catalogue); every graph that types it holds it.
                        if record.kind.is_none_or(|k| rank(kind) < rank(k)) {
                            record.kind = Some(kind);
                        }
                        push_unique(&mut record.graphs, graph_iri(&quad.graph_name));
                    }
                }
            } else if let Some(rank) = [dct::TITLE, schema::NAME, rdfs::LABEL]
                .iter()
                .position(|t| *t == p)
            {
                push_ranked(&mut titles, rank, o);
            } else if let Some(rank) = [dct::DESCRIPTION, schema::ABSTRACT, schema::DESCRIPTION]
                .iter()
                .position(|t| *t == p)
            {
                push_ranked(&mut descriptions, rank, o);
            } else if p == dcat::KEYWORD || p == schema::KEYWORDS {
                push_literal(&mut record.keywords, o);
            } else if p == dct::PUBLISHER || p == dct::CREATOR || p == dct::CONTRIBUTOR {
                let role = if p == dct::PUBLISHER {
                    AgentRole::Publisher
                } else {
                    AgentRole::Creator
                };
                let key = (role, o.into_owned());
                if !agents_seen.contains(&key) {
                    agents_seen.push(key);
                    let agent = self.agent(o)?;
                    match role {
                        AgentRole::Publisher => record.agents.push((role, agent)),
                        AgentRole::Creator => creators.push((role, agent)),
                    }
                }
            } else if p == dcat::THEME {
                push_term(&mut record.themes, o);
                if let Some(label) = self.labels.label_or_local_name(o)? {
                    push_unique(&mut record.theme_labels, label);
                }
            } else if p == cg::BENEFICIARY {
                push_iri(&mut record.beneficiaries, o);
            } else if p == cg::ACTOR {
                push_iri(&mut record.actors, o);
            } else if p == cg::ENABLER {
                push_iri(&mut record.enablers, o);
            } else if p == cg::CHANNEL {
                push_iri(&mut record.channels, o);
            } else if p == cg::BENEFIT {
                push_iri(&mut record.benefits, o);
            } else if p == cg::PATTERN_ASSIGNMENT_PROPERTY && self.parts.assignments {
                record.assignments.extend(crate::assignment::read(statements, o)?);
            } else if p == cg::USE_PATTERN {
                push_iri(&mut record.patterns, o);
            } else if p == dct::IDENTIFIER {
                push_term(&mut record.identifiers, o);
            } else if p == adms::IDENTIFIER {
                for notation in objects(statements, o, skos::NOTATION)? {
                    push_literal(&mut record.identifiers, notation.as_ref());
                }
            } else if p == dcat::LANDING_PAGE {
                push_term(&mut record.landing_pages, o);
            } else if p == dct::SOURCE {
                push_term(&mut record.sources, o);
            } else if p == cg::OUTCOME {
                push_literal(&mut outcomes, o);
            } else if p == cg::USES_DATASET {
                push_iri(&mut record.uses_datasets, o);
            } else if p == cg::CLUSTER {
                push_iri(&mut record.clusters, o);
            } else if p == dcat::CONTACT_POINT {
                for email in objects(statements, o, vcard::HAS_EMAIL)? {
                    push_term(&mut record.contact_emails, email.as_ref());
                }
            } else if p == dct::SPATIAL || p == schema::SPATIAL_COVERAGE {
                push_term(&mut record.places, o);
                if let Some(name) = self.labels.name(o)? {
                    push_unique(&mut record.regions, name);
                }
                for country in countries_of(statements, o)? {
                    push_unique(&mut record.countries, country);
                }
            } else if let Some(rank) = [dct::ISSUED, schema::DATE_PUBLISHED, dct::DATE]
                .iter()
                .position(|t| *t == p)
            {
                push_ranked(&mut issued, rank, o);
            } else if p == dct::MODIFIED {
                push_literal(&mut modified, o);
            } else if p == dct::LICENSE {
                push_term(&mut record.licences, o);
            } else if p == dcat::DISTRIBUTION_PROPERTY
                && self.parts.distributions
                && let Some(distribution) = read_distribution(statements, o)?
                && !record.distributions.iter().any(|d| d.iri == distribution.iri)
            {
                record.distributions.push(distribution);
            }
        }
        if record.kind.is_none() {
            return Ok(None);
        }
        record.agents.extend(creators);
        // Several values (a source that states two dates) are read in a stable order.
        record.titles = ranked(titles);
        record.descriptions = ranked(descriptions);
        let issued = ranked(issued);
        modified.sort();
        outcomes.sort();
        record.date = issued
            .iter()
            .find_map(|d| parse_date(d))
            .or_else(|| modified.iter().find_map(|d| parse_date(d)));
        record.issued = issued.into_iter().next();
        record.modified = modified.into_iter().next();
        record.outcome = outcomes.into_iter().next();
        record.distributions.sort_by(|a, b| a.iri.cmp(&b.iri));
        // In the patterns' order (access, planning, policy), not the store's.
        record.patterns.sort();
        record.patterns.dedup();
        crate::assignment::sort(&mut record.assignments);
        if self.parts.catalogues {
            self.read_catalogues(iri, &mut record)?;
        }
        record.sort_values();
        Ok(Some(record))
    }

    /// The catalogues listing `iri`, and their places.
    fn read_catalogues(&mut self, iri: NamedNodeRef<'_>, record: &mut Record) -> Result<()> {
        let statements = self.labels.statements();
        for catalogue in statements.stating(dcat::DATASET_PROPERTY, iri.into())? {
            if let NamedOrBlankNodeRef::NamedNode(node) = catalogue.as_ref() {
                push_unique(&mut record.catalogues, node.as_str().to_owned());
            }
            for spatial in statements.about(catalogue.as_ref(), Some(dct::SPATIAL))? {
                if let Some(name) = self.labels.name(spatial.object.as_ref())? {
                    push_unique(&mut record.regions, name);
                }
            }
        }
        record.catalogues.sort();
        record.catalogues.dedup();
        Ok(())
    }

    /// The agent `term` names, remembered.
    fn agent(&mut self, term: TermRef<'_>) -> Result<Agent> {
        let key = term.into_owned();
        let cache = self.labels.cache();
        let (generation, cached) = cache.agent(&key);
        if let Some(agent) = cached {
            return Ok(agent);
        }
        let mut agent = Agent {
            name: self.labels.name(term)?,
            iri: match term {
                TermRef::NamedNode(node) => Some(node.as_str().to_owned()),
                _ => None,
            },
            ..Agent::default()
        };
        let statements = self.labels.statements();
        for home in objects(statements, term, foaf::HOMEPAGE)? {
            push_term(&mut agent.homepages, home.as_ref());
        }
        for property in [foaf::MBOX, vcard::HAS_EMAIL] {
            for email in objects(statements, term, property)? {
                push_term(&mut agent.emails, email.as_ref());
            }
        }
        for kind in objects(statements, term, dct::TYPE)? {
            match kind {
                Term::NamedNode(node) => push_unique(&mut agent.kinds, local_name(node.as_str()).to_owned()),
                Term::Literal(literal) => push_unique(&mut agent.kinds, literal.value().to_owned()),
                Term::BlankNode(_) => {}
            }
        }
        for values in [&mut agent.homepages, &mut agent.emails, &mut agent.kinds] {
            values.sort();
            values.dedup();
        }
        cache.keep_agent(generation, key, agent.clone());
        Ok(agent)
    }
}

/// A graph's IRI as text; a blank node as N-Triples; the default graph as "".
fn graph_iri(graph: &GraphName) -> String {
    match graph {
        GraphName::NamedNode(node) => node.as_str().to_owned(),
        GraphName::BlankNode(node) => node.to_string(),
        GraphName::DefaultGraph => String::new(),
    }
}

/// A distribution: its title, formats, licences and URLs.
fn read_distribution(statements: &dyn Statements, term: TermRef<'_>) -> Result<Option<Distribution>> {
    let (subject, iri): (NamedOrBlankNodeRef<'_>, String) = match term {
        TermRef::NamedNode(node) => (node.into(), node.as_str().to_owned()),
        TermRef::BlankNode(node) => (node.into(), node.to_string()),
        _ => return Ok(None),
    };
    let mut distribution = Distribution {
        iri,
        ..Distribution::default()
    };
    let mut titles = Vec::new();
    for quad in statements.about(subject, None)? {
        let p = quad.predicate.as_ref();
        let o = quad.object.as_ref();
        if p == dct::FORMAT || p == dcat::MEDIA_TYPE {
            push_term(&mut distribution.formats, o);
        } else if p == dct::LICENSE {
            push_term(&mut distribution.licences, o);
        } else if p == dcat::ACCESS_URL {
            push_term(&mut distribution.access_urls, o);
        } else if p == dcat::DOWNLOAD_URL {
            push_term(&mut distribution.download_urls, o);
        } else if p == dct::TITLE {
            push_literal(&mut titles, o);
        }
    }
    titles.sort();
    distribution.title = titles.into_iter().next();
    for values in [
        &mut distribution.formats,
        &mut distribution.licences,
        &mut distribution.access_urls,
        &mut distribution.download_urls,
    ] {
        values.sort();
        values.dedup();
    }
    Ok(Some(distribution))
}

/// A kind's place in [`RecordKind::ALL`].
fn rank(kind: RecordKind) -> usize {
    RecordKind::ALL
        .iter()
        .position(|(k, _)| *k == kind)
        .unwrap_or(usize::MAX)
}

/// An IRI as it is, a literal by its value.
fn push_term(values: &mut Vec<String>, term: TermRef<'_>) {
    match term {
        TermRef::NamedNode(node) => push_unique(values, node.as_str().to_owned()),
        TermRef::Literal(literal) => push_unique(values, literal.value().trim().to_owned()),
        _ => {}
    }
}

/// A literal's value, with the rank of the property that gave it.
fn push_ranked(values: &mut Vec<(usize, String)>, rank: usize, term: TermRef<'_>) {
    if let TermRef::Literal(literal) = term
        && !literal.value().trim().is_empty()
    {
        values.push((rank, literal.value().to_owned()));
    }
}

/// Values by the rank of their property, then alphabetically, each once: the first is what a
/// page shows (`dct:title` before `schema:name` and `rdfs:label`, whatever the store's order).
fn ranked(mut values: Vec<(usize, String)>) -> Vec<String> {
    values.sort();
    unique(values.iter().map(|(_, value)| value))
}

fn push_literal(values: &mut Vec<String>, term: TermRef<'_>) {
    if let TermRef::Literal(literal) = term {
        push_unique(values, literal.value().to_owned());
    }
}

fn push_iri(values: &mut Vec<String>, term: TermRef<'_>) {
    if let TermRef::NamedNode(node) = term {
        push_unique(values, node.as_str().to_owned());
    }
}

/// `values`, borrowed or owned, each once, in their first order, blanks dropped. Only a
/// value kept is copied: a key made for the index (a licence's concept, a format's) is
/// moved, never cloned.
fn unique<V: AsRef<str> + Into<String>>(values: impl Iterator<Item = V>) -> Vec<String> {
    let values: Vec<V> = values.filter(|v| !v.as_ref().trim().is_empty()).collect();
    let mut seen = std::collections::HashSet::new();
    let first: Vec<bool> = values.iter().map(|v| seen.insert(v.as_ref())).collect();
    drop(seen);
    values
        .into_iter()
        .zip(first)
        .filter_map(|(value, first)| first.then(|| value.into()))
        .collect()
}

/// Values a list holds before [`push_unique`] stops comparing a new one with each.
const COMPARED: usize = 64;

/// Adds `value` unless it is blank or, in a short list, already there. A long list (a
/// hostile record's million keywords) is not compared value by value, which would be
/// quadratic: every list is sorted and deduplicated once read ([`Record::sort_values`],
/// and where each other list is read), titles and descriptions in their ranked order
/// ([`ranked`]).
fn push_unique(values: &mut Vec<String>, value: String) {
    if value.trim().is_empty() || values.len() < COMPARED && values.contains(&value) {
        return;
    }
    values.push(value);
}

/// Seconds since the epoch at the start of the day a date (`YYYY`, `YYYY-MM`,
/// `YYYY-MM-DD`, or a date-time) names. Harvested dates are messy, so anything else is
/// `None` rather than an error.
pub fn parse_date(value: &str) -> Option<i64> {
    let value = value.trim();
    let date = value.split(['T', ' ']).next()?;
    let mut parts = date.splitn(3, '-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: i64 = parts.next().map_or(Some(1), |m| m.parse().ok())?;
    let day: i64 = parts
        .next()
        .map_or(Some(1), |d| d.get(..2).unwrap_or(d).parse().ok())?;
    if !(1000..=9999).contains(&year) || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    // Days from civil, after Howard Hinnant's algorithm.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * 86_400)
}

/// The calendar year of a time in seconds since the epoch (years 1000 to 9999).
pub fn year_of(seconds: i64) -> Option<u64> {
    let days = seconds.div_euclid(86_400);
    // Civil from days, after Howard Hinnant's algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (1000..=9999).contains(&year).then_some(year as u64)
}

/// The EU Publications Office's country table: a place IRI in it is a country.
const EU_COUNTRY: &str = "http://publications.europa.eu/resource/authority/country/";

/// The country codes of a place: the place itself when it is an EU authority country IRI,
/// else its `schema:addressCountry`s.
fn countries_of(statements: &dyn Statements, place: TermRef<'_>) -> Result<Vec<String>> {
    if let TermRef::NamedNode(iri) = place
        && let Some(code) = iri.as_str().strip_prefix(EU_COUNTRY)
        && !code.is_empty()
    {
        return Ok(vec![code.to_ascii_uppercase()]);
    }
    Ok(objects(statements, place, schema::ADDRESS_COUNTRY)?
        .into_iter()
        .filter_map(|term| match term {
            Term::Literal(l) if !l.value().trim().is_empty() => Some(l.value().trim().to_ascii_uppercase()),
            _ => None,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `record` as a reader of every part reads it from `store`.
    fn read_whole(store: &oxigraph::store::Store, record: NamedNodeRef<'_>) -> Record {
        let cache = crate::LabelCache::default();
        RecordReader::new(Labels::new(store, &cache), &crate::Layout::default())
            .read(record)
            .unwrap()
            .unwrap()
    }

    #[test]
    fn every_kind_is_the_kinds_of_all_in_its_order() {
        assert_eq!(RecordKind::ALL.map(|(kind, _)| kind), RecordKind::EVERY);
    }

    #[test]
    fn the_first_title_is_dct_title_and_a_record_in_two_sources_lists_its_agents_once() {
        use oxigraph::model::{GraphNameRef as G, Literal, NamedNodeRef as N, QuadRef};
        let store = oxigraph::store::Store::new().unwrap();
        let record = N::new("https://example.org/d/1").unwrap();
        let publisher = N::new("https://example.org/org/1").unwrap();
        let distribution = N::new("https://example.org/d/1/csv").unwrap();
        for source in ["https://example.org/source/a", "https://example.org/source/b"] {
            let g = G::NamedNode(N::new(source).unwrap());
            let objects: [(NamedNodeRef<'_>, TermRef<'_>); 3] = [
                (rdf::TYPE, dcat::DATASET.into()),
                (dct::PUBLISHER, publisher.into()),
                (dcat::DISTRIBUTION_PROPERTY, distribution.into()),
            ];
            for (p, o) in objects {
                store.insert(QuadRef::new(record, p, o, g)).unwrap();
            }
        }
        let g = G::NamedNode(N::new("https://example.org/source/a").unwrap());
        for (p, title) in [
            (rdfs::LABEL, "A label"),
            (schema::NAME, "A name"),
            (dct::TITLE, "The title"),
        ] {
            store
                .insert(QuadRef::new(record, p, &Literal::new_simple_literal(title), g))
                .unwrap();
        }
        let read = read_whole(&store, record);
        assert_eq!(read.titles, ["The title", "A name", "A label"]);
        assert_eq!(read.graphs.len(), 2);
        assert_eq!(read.agents.len(), 1);
        assert_eq!(read.distributions.len(), 1);
        // The tagger reads no distributions: none are looked up.
        let cache = crate::LabelCache::default();
        let own = RecordReader::new(Labels::new(&store, &cache), &crate::Layout::default())
            .with_parts(Parts::OWN)
            .read(record)
            .unwrap()
            .unwrap();
        assert!(own.distributions.is_empty());
        assert_eq!(own.titles, read.titles);
    }

    #[test]
    fn a_record_without_a_title_is_shown_by_its_identifier_then_its_landing_page() {
        let mut record = Record {
            iri: "https://example.org/dataset/1".into(),
            ..Record::default()
        };
        assert_eq!(record.display_title(), "https://example.org/dataset/1");
        record.landing_pages.push("https://portal.example/d/1".into());
        assert_eq!(record.display_title(), "https://portal.example/d/1");
        record.identifiers.push("5f2a-sirene".into());
        assert_eq!(record.display_title(), "5f2a-sirene");
        record.titles.push("Base Sirene".into());
        assert_eq!(record.display_title(), "Base Sirene");
    }

    #[test]
    /// 200,000 keywords: read without comparing each with every other (which took
    /// 2 * 10^10 comparisons), and still each once, in order.
    fn a_record_of_many_keywords_holds_each_once_in_order() {
        use oxigraph::model::{GraphNameRef as G, Literal, NamedNodeRef as N, QuadRef};
        let store = oxigraph::store::Store::new().unwrap();
        let record = N::new("https://example.org/d").unwrap();
        let a = G::NamedNode(N::new("https://example.org/source/a").unwrap());
        let b = G::NamedNode(N::new("https://example.org/source/b").unwrap());
        let keywords: Vec<Literal> = (0..200_000)
            .map(|i| Literal::new_simple_literal(format!("k{i}")))
            .collect();
        for g in [a, b] {
            store
                .insert(QuadRef::new(record, rdf::TYPE, dcat::DATASET, g))
                .unwrap();
        }
        for keyword in &keywords {
            store
                .insert(QuadRef::new(record, dcat::KEYWORD, keyword, a))
                .unwrap();
        }
        // The same keyword from a second source is one keyword.
        store
            .insert(QuadRef::new(record, dcat::KEYWORD, &keywords[7], b))
            .unwrap();
        let read = read_whole(&store, record);
        assert_eq!(read.keywords.len(), 200_000);
        assert!(read.keywords.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn dates_in_the_shapes_catalogues_use() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2024-03-01"), Some(1_709_251_200));
        assert_eq!(parse_date("2024-03-01T10:00:00Z"), Some(1_709_251_200));
        assert_eq!(parse_date("2024"), Some(1_704_067_200));
        assert_eq!(parse_date("2024-13-01"), None);
        assert_eq!(parse_date("last tuesday"), None);
    }

    #[test]
    fn years_of_dates() {
        for (date, year) in [
            ("1970-01-01", 1970),
            ("2024-02-29", 2024),
            ("2024-12-31", 2024),
            ("2025-01-01", 2025),
            ("1999-03-01", 1999),
        ] {
            assert_eq!(year_of(parse_date(date).unwrap()), Some(year), "{date}");
        }
    }
}
