//! Generated regional catalogues for the benchmarks (`civicgraph gen`): deterministic for a
//! seed, realistic enough that every stage of the pipeline does its real work on them.
//!
//! For K regions and N datasets it writes, into one directory:
//!
//! - `catalogues/{region}.ttl`: one DCAT-AP 3 catalogue per region, each dataset with a
//!   title, description, keywords, theme, publisher, contact point, dates, frequency, place,
//!   language, landing page and one to three distributions (format, media type, licence).
//!   Publishers form a hierarchy (`org:subOrganizationOf`): a regional authority, its towns,
//!   and the departments of each.
//! - a share of the datasets republished by the next region's catalogue, perturbed the ways
//!   aggregators change records ([`crate::tools::perturb::copy`]: case, punctuation and
//!   spelling of the title, new identifiers, edited descriptions, rewritten or dropped
//!   URLs), and `duplicates.tsv`, the ground truth (copy, original) for the linker;
//! - `case-studies.json`: case studies that cite datasets (`datasets` field), about one per
//!   hundred datasets, half with curated patterns;
//! - `civicgraph.toml`: a configuration harvesting all of it.
//!
//! Files are written as they are generated, so memory stays flat at any size.

pub mod words;

use crate::enrich::link::LinkRecord;
use crate::error::{IngestError, Result};
use crate::tools::perturb::{Rng, copy};
use civicgraph_graph::names::slug;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use words::{
    COVERAGE, DEPARTMENTS, FORMATS, FREQUENCIES, LICENCES, PLACE_HEADS, PLACE_TAILS, STREETS, TOPICS,
};

const EU: &str = "http://publications.europa.eu/resource/authority/";
const PREFIXES: &str = "@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
";

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct GenSettings {
    /// Datasets in all, copies included.
    pub datasets: usize,
    /// Regional catalogues.
    pub regions: usize,
    /// The seed: the same settings and seed give the same bytes.
    pub seed: u64,
    /// The share of datasets that are another region's dataset republished.
    pub duplicate_share: f64,
    /// One case study per this many original datasets.
    pub datasets_per_case_study: usize,
}

impl GenSettings {
    /// `datasets` datasets with the default shape: one region per 25,000 datasets (at least
    /// four), 8 % duplicates, a case study per 100 datasets.
    pub fn new(datasets: usize, seed: u64) -> Self {
        Self {
            datasets,
            regions: (datasets / 25_000).max(4),
            seed,
            duplicate_share: 0.08,
            datasets_per_case_study: 100,
        }
    }
}

/// One generated catalogue.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GeneratedRegion {
    /// The source id in the generated configuration.
    pub id: String,
    /// The region's name.
    pub name: String,
    /// The catalogue file.
    pub path: PathBuf,
    /// Datasets of its own.
    pub originals: usize,
    /// Datasets republished from another region.
    pub copies: usize,
    /// Triples written.
    pub triples: usize,
}

/// What was written.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GenSummary {
    /// The catalogues.
    pub regions: Vec<GeneratedRegion>,
    /// Datasets in all.
    pub datasets: usize,
    /// Case studies.
    pub case_studies: usize,
    /// Triples in the catalogues (the case studies' are made by the harvester's mapping).
    pub triples: usize,
    /// The generated configuration.
    pub config: PathBuf,
    /// The duplicates' ground truth.
    pub ground_truth: PathBuf,
    /// The case studies.
    pub case_study_file: PathBuf,
}

/// A region: its name, its towns and where its catalogue lives.
#[derive(Debug)]
struct Region {
    id: String,
    name: String,
    base: String,
    towns: Vec<String>,
}

/// A catalogue being written.
struct Writer {
    out: BufWriter<File>,
    path: PathBuf,
    triples: usize,
    originals: usize,
    copies: usize,
    /// Names of the mirrored publishers already declared.
    mirrored: HashSet<String>,
}

impl Writer {
    fn write(&mut self, text: &str, triples: usize) -> Result<()> {
        self.triples += triples;
        self.out
            .write_all(text.as_bytes())
            .map_err(|source| io(&self.path, source))
    }
}

fn io(path: &Path, source: std::io::Error) -> IngestError {
    IngestError::Io {
        document: path.display().to_string(),
        source,
    }
}

/// Writes the catalogues, case studies, ground truth and configuration into `dir`.
pub fn generate(dir: &Path, settings: &GenSettings) -> Result<GenSummary> {
    if settings.regions == 0 || settings.regions > PLACE_HEADS.len() * PLACE_TAILS.len() / 8 {
        return Err(IngestError::Config(format!(
            "gen: regions must be between 1 and {}",
            PLACE_HEADS.len() * PLACE_TAILS.len() / 8
        )));
    }
    let catalogues = dir.join("catalogues");
    std::fs::create_dir_all(&catalogues).map_err(|e| io(&catalogues, e))?;
    let dir = dir.canonicalize().map_err(|e| io(dir, e))?;
    let mut rng = Rng::new(settings.seed);
    let regions = regions(&mut rng, settings.regions);
    let sizes = region_sizes(&mut rng, settings);
    let mut writers = Vec::with_capacity(regions.len());
    for region in &regions {
        let path = dir.join("catalogues").join(format!("{}.ttl", region.id));
        let file = File::create(&path).map_err(|e| io(&path, e))?;
        let mut writer = Writer {
            out: BufWriter::with_capacity(1 << 20, file),
            path,
            triples: 0,
            originals: 0,
            copies: 0,
            mirrored: HashSet::new(),
        };
        let (header, triples) = catalogue_header(region);
        writer.write(&header, triples)?;
        writers.push(writer);
    }
    let truth_path = dir.join("duplicates.tsv");
    let mut truth = BufWriter::new(File::create(&truth_path).map_err(|e| io(&truth_path, e))?);
    writeln!(truth, "copy\toriginal\tcopy_source\toriginal_source").map_err(|e| io(&truth_path, e))?;
    let cases_path = dir.join("case-studies.json");
    let mut cases = BufWriter::new(File::create(&cases_path).map_err(|e| io(&cases_path, e))?);
    write!(cases, "{{\"case_studies\": [").map_err(|e| io(&cases_path, e))?;
    let mut case_count = 0usize;
    let every = settings.datasets_per_case_study.max(1);
    let k = regions.len();
    for (r, region) in regions.iter().enumerate() {
        let originals = sizes[r].0;
        // This region's datasets that the next region republishes: every `stride`-th one.
        let target = (r + 1) % k;
        let wanted = if target == r { 0 } else { sizes[target].1 };
        let stride = (originals / wanted.max(1)).max(1);
        let mut made = 0;
        let mut recent: Vec<(String, String)> = Vec::new();
        for n in 0..originals {
            let dataset = dataset(region, n, &mut rng);
            writers[r].write(&dataset.turtle, dataset.triples)?;
            writers[r].originals += 1;
            recent.push((dataset.record.iri.clone(), dataset.town.clone()));
            if recent.len() > 8 {
                recent.remove(0);
            }
            if n % every == every / 2 {
                let case = case_study(region, &dataset, &recent, case_count, &mut rng);
                let separator = if case_count == 0 { "\n" } else { ",\n" };
                write!(cases, "{separator}{case}").map_err(|e| io(&cases_path, e))?;
                case_count += 1;
            }
            if made < wanted && n % stride == 0 {
                let target_writer = &mut writers[target];
                let mirror = mirror(
                    &regions[target],
                    region,
                    &dataset,
                    &mut rng,
                    &mut target_writer.mirrored,
                );
                target_writer.write(&mirror.turtle, mirror.triples)?;
                target_writer.copies += 1;
                writeln!(
                    truth,
                    "{}\t{}\t{}\t{}",
                    mirror.iri, dataset.record.iri, regions[target].id, region.id
                )
                .map_err(|e| io(&truth_path, e))?;
                made += 1;
            }
        }
    }
    write!(cases, "\n]}}\n").map_err(|e| io(&cases_path, e))?;
    cases.flush().map_err(|e| io(&cases_path, e))?;
    truth.flush().map_err(|e| io(&truth_path, e))?;
    let mut summary_regions = Vec::with_capacity(k);
    for (region, mut writer) in regions.iter().zip(writers) {
        writer.out.flush().map_err(|e| io(&writer.path, e))?;
        summary_regions.push(GeneratedRegion {
            id: region.id.clone(),
            name: region.name.clone(),
            path: writer.path,
            originals: writer.originals,
            copies: writer.copies,
            triples: writer.triples,
        });
    }
    let config = dir.join("civicgraph.toml");
    std::fs::write(&config, config_text(&summary_regions, &cases_path)).map_err(|e| io(&config, e))?;
    Ok(GenSummary {
        datasets: summary_regions.iter().map(|r| r.originals + r.copies).sum(),
        triples: summary_regions.iter().map(|r| r.triples).sum(),
        regions: summary_regions,
        case_studies: case_count,
        config,
        ground_truth: truth_path,
        case_study_file: cases_path,
    })
}

/// K regions with distinct names, each with four to eight towns (names distinct overall).
fn regions(rng: &mut Rng, k: usize) -> Vec<Region> {
    let mut used = HashSet::new();
    let mut name = |rng: &mut Rng| loop {
        let candidate = format!(
            "{}{}",
            PLACE_HEADS[rng.below(PLACE_HEADS.len())],
            PLACE_TAILS[rng.below(PLACE_TAILS.len())]
        );
        if used.insert(candidate.clone()) {
            return candidate;
        }
    };
    (0..k)
        .map(|_| {
            let region = name(rng);
            let towns = (0..4 + rng.below(5)).map(|_| name(rng)).collect();
            let id = region.to_lowercase();
            Region {
                base: format!("https://data.{id}.example.gov/"),
                id,
                name: region,
                towns,
            }
        })
        .collect()
}

/// (originals, copies received) per region: sizes vary from half to one and a half times
/// the mean, copies are the duplicate share of each.
fn region_sizes(rng: &mut Rng, settings: &GenSettings) -> Vec<(usize, usize)> {
    let k = settings.regions;
    let weights: Vec<f64> = (0..k).map(|_| 0.5 + rng.unit()).collect();
    let total: f64 = weights.iter().sum();
    let mut sizes: Vec<usize> = weights
        .iter()
        .map(|w| (settings.datasets as f64 * w / total).floor() as usize)
        .collect();
    let short = settings.datasets - sizes.iter().sum::<usize>();
    for size in sizes.iter_mut().take(short) {
        *size += 1;
    }
    let share = if k > 1 {
        settings.duplicate_share.clamp(0.0, 0.5)
    } else {
        0.0
    };
    sizes
        .into_iter()
        .map(|size| {
            // Region r receives copies of region r - 1's datasets, as a share of its own size.
            let copies = ((size as f64 * share).round() as usize).min(size / 2);
            (size - copies, copies)
        })
        .collect()
}

/// The catalogue, its places and its publisher hierarchy.
fn catalogue_header(region: &Region) -> (String, usize) {
    let base = &region.base;
    let name = &region.name;
    let mut out = String::from(PREFIXES);
    let mut triples = 0;
    let _ = write!(
        out,
        "\n<{base}catalog> a dcat:Catalog ;\n  dct:title \"{name} Open Data\"@en ;\n  \
         dct:description \"Open data published by {name} Regional Authority and the town councils of {name}.\"@en ;\n  \
         dct:publisher <{base}id/org/authority> ;\n  dct:spatial <{base}id/place/region> ;\n  \
         dct:language <{EU}language/ENG> ;\n  foaf:homepage <{base}> ;\n  \
         dct:issued \"2014-03-01\"^^xsd:date ;\n  dct:modified \"2026-11-01\"^^xsd:date .\n\
         <{base}id/place/region> a dct:Location ; skos:prefLabel \"{name}\"@en .\n"
    );
    triples += 11;
    let _ = writeln!(
        out,
        "<{base}id/org/authority> a foaf:Agent , foaf:Organization ; foaf:name \"{name} Regional Authority\"@en ;\n  \
         dct:type <http://purl.org/adms/publishertype/RegionalAuthority> ."
    );
    triples += 4;
    for department in DEPARTMENTS {
        let _ = writeln!(
            out,
            "<{base}id/org/authority/{}> a foaf:Agent , foaf:Organization ; foaf:name \"{department}, {name} Regional Authority\"@en ;\n  \
             org:subOrganizationOf <{base}id/org/authority> .",
            slug(department)
        );
        triples += 4;
    }
    for town in &region.towns {
        let t = slug(town);
        let _ = writeln!(
            out,
            "<{base}id/place/{t}> a dct:Location ; skos:prefLabel \"{town}\"@en .\n\
             <{base}id/org/{t}> a foaf:Agent , foaf:Organization ; foaf:name \"{town} Town Council\"@en ;\n  \
             dct:type <http://purl.org/adms/publishertype/LocalAuthority> ; org:subOrganizationOf <{base}id/org/authority> ."
        );
        triples += 7;
        for department in DEPARTMENTS {
            let _ = writeln!(
                out,
                "<{base}id/org/{t}/{}> a foaf:Agent , foaf:Organization ; foaf:name \"{department}, {town} Town Council\"@en ;\n  \
                 org:subOrganizationOf <{base}id/org/{t}> .",
                slug(department)
            );
            triples += 4;
        }
    }
    (out, triples)
}

/// One generated dataset: its Turtle, and what the linker would read of it.
struct Dataset {
    turtle: String,
    triples: usize,
    record: LinkRecord,
    town: String,
    topic: usize,
    year: usize,
}

const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn dataset(region: &Region, n: usize, rng: &mut Rng) -> Dataset {
    let base = &region.base;
    let topic_index = rng.below(TOPICS.len());
    let topic = &TOPICS[topic_index];
    // A third are published by the regional authority for the whole region.
    let by_authority = rng.chance(0.3);
    let (place, place_iri, publisher_iri, publisher_name) = if by_authority {
        (
            region.name.clone(),
            format!("{base}id/place/region"),
            format!("{base}id/org/authority/{}", slug(DEPARTMENTS[topic.department])),
            format!(
                "{}, {} Regional Authority",
                DEPARTMENTS[topic.department], region.name
            ),
        )
    } else {
        let town = &region.towns[rng.below(region.towns.len())];
        let t = slug(town);
        (
            town.clone(),
            format!("{base}id/place/{t}"),
            format!("{base}id/org/{t}/{}", slug(DEPARTMENTS[topic.department])),
            format!("{}, {town} Town Council", DEPARTMENTS[topic.department]),
        )
    };
    let year = 2012 + rng.below(14);
    let coverage = COVERAGE[rng.below(COVERAGE.len())];
    let period = match rng.below(3) {
        0 => format!("{year}"),
        1 => format!("Q{} {year}", 1 + rng.below(4)),
        _ => format!("{} {year}", MONTHS[rng.below(12)]),
    };
    let title = match rng.below(3) {
        0 => format!("{place} {} ({coverage}), {period}", topic.subject),
        1 => format!("{} in {place}, {coverage}, {period}", capitalise(topic.subject)),
        _ => format!("{place}: {} for {coverage} ({period})", topic.subject),
    };
    let name = format!("{}-{}-{n}", slug(&place), slug(topic.subject));
    let iri = format!("{base}id/dataset/{name}");
    let landing = format!("{base}dataset/{name}");
    let (frequency_code, frequency) = FREQUENCIES[rng.below(FREQUENCIES.len())];
    let sites = 5 + rng.below(400);
    let streets: Vec<&str> = (0..3).map(|_| STREETS[rng.below(STREETS.len())]).collect();
    let mut description = format!(
        "{} in {place}, covering {coverage}, for {period}, updated {frequency} by {publisher_name}. \
         It covers {sites} sites, among them {}, {} and {}.",
        capitalise(topic.what),
        streets[0],
        streets[1],
        streets[2]
    );
    for (i, sentence) in topic.uses.iter().enumerate() {
        if i == 0 || rng.chance(0.5) {
            description.push(' ');
            description.push_str(sentence);
        }
    }
    let _ = write!(
        description,
        " Reference {}-{:06x}.",
        region.id,
        rng.next_u64() & 0xff_ffff
    );
    let identifier = format!("{}:{name}", region.id);
    let issued_month = 1 + rng.below(12);
    let issued = format!("{year}-{issued_month:02}-{:02}", 1 + rng.below(28));
    let modified = format!(
        "{}-{:02}-{:02}",
        (year + rng.below(3)).min(2026),
        1 + rng.below(12),
        1 + rng.below(28)
    );
    let mut keywords = vec![topic.subject.to_owned(), place.clone()];
    for keyword in topic.keywords {
        if rng.chance(0.6) && !keywords.iter().any(|k| k == keyword) {
            keywords.push((*keyword).to_owned());
        }
    }
    let mut formats = vec![0usize];
    if rng.chance(0.5) {
        formats.push(1 + rng.below(FORMATS.len() - 1));
    }
    if rng.chance(0.1) {
        let extra = 1 + rng.below(FORMATS.len() - 1);
        if !formats.contains(&extra) {
            formats.push(extra);
        }
    }
    let licence = LICENCES[rng.below(LICENCES.len())];
    let department = DEPARTMENTS[topic.department];
    let mut out = String::with_capacity(3000);
    let mut triples = 0;
    let _ = write!(
        out,
        "\n<{base}catalog> dcat:dataset <{iri}> .\n<{iri}> a dcat:Dataset ;\n  dct:identifier \"{identifier}\" ;\n  \
         dct:title \"{}\"@en ;\n  dct:description \"{}\"@en ;\n  dcat:keyword {} ;\n  \
         dcat:theme <{EU}data-theme/{}> ;\n  dct:publisher <{publisher_iri}> ;\n  \
         dcat:contactPoint [ a vcard:Organization ; vcard:fn \"{department}, {place}\" ; vcard:hasEmail <mailto:opendata@{}.example.gov> ] ;\n  \
         dct:issued \"{issued}\"^^xsd:date ;\n  dct:modified \"{modified}\"^^xsd:date ;\n  \
         dct:accrualPeriodicity <{EU}frequency/{frequency_code}> ;\n  dct:spatial <{place_iri}> ;\n  \
         dct:language <{EU}language/ENG> ;\n  dcat:landingPage <{landing}> ;\n  dcat:distribution {} .\n",
        escape(&title),
        escape(&description),
        keywords
            .iter()
            .map(|k| format!("\"{}\"@en", escape(k)))
            .collect::<Vec<_>>()
            .join(" , "),
        topic.theme,
        region.id,
        formats
            .iter()
            .map(|f| format!("<{iri}/distribution/{}>", FORMATS[*f].1))
            .collect::<Vec<_>>()
            .join(" , "),
    );
    triples += 1 + 1 + 1 + 1 + 1 + keywords.len() + 1 + 1 + 4 + 1 + 1 + 1 + 1 + 1 + 1 + formats.len();
    let mut downloads = Vec::new();
    for f in &formats {
        let (code, extension, media) = FORMATS[*f];
        let download = format!("{base}download/{name}.{extension}");
        let _ = writeln!(
            out,
            "<{iri}/distribution/{extension}> a dcat:Distribution ;\n  dct:title \"{} ({code})\"@en ;\n  \
             dcat:accessURL <{landing}> ;\n  dcat:downloadURL <{download}> ;\n  dct:format <{EU}file-type/{code}> ;\n  \
             dcat:mediaType <http://www.iana.org/assignments/media-types/{media}> ;\n  dct:license <{licence}> .",
            escape(&title)
        );
        triples += 7;
        downloads.push(download);
    }
    Dataset {
        turtle: out,
        triples,
        record: LinkRecord {
            iri,
            source: region.id.clone(),
            identifiers: vec![identifier],
            landing_pages: vec![landing],
            distribution_urls: downloads,
            titles: vec![title],
            publisher: Some(publisher_name),
            publisher_ids: Vec::new(),
            description,
        },
        town: place,
        topic: topic_index,
        year,
    }
}

/// A republished copy: the next region's catalogue lists `original` under its own IRI, as
/// the linker's evaluation perturbs it.
struct Mirror {
    turtle: String,
    triples: usize,
    iri: String,
}

fn mirror(
    target: &Region,
    from: &Region,
    original: &Dataset,
    rng: &mut Rng,
    declared: &mut HashSet<String>,
) -> Mirror {
    let base = &target.base;
    let name = original.record.iri.rsplit('/').next().unwrap_or_default();
    let iri = format!("{base}id/dataset/{}-{name}", from.id);
    let changed = copy(&original.record, &target.id, &iri, rng);
    let mut out = String::with_capacity(2500);
    let mut triples = 0;
    let publisher = changed.publisher.as_ref().map(|p| {
        let publisher_iri = format!("{base}id/org/mirrored/{}", slug(p));
        if declared.insert(publisher_iri.clone()) {
            let _ = writeln!(
                out,
                "\n<{publisher_iri}> a foaf:Agent ; foaf:name \"{}\"@en .",
                escape(p)
            );
            triples += 2;
        }
        publisher_iri
    });
    let _ = write!(
        out,
        "\n<{base}catalog> dcat:dataset <{iri}> .\n<{iri}> a dcat:Dataset ;\n  dct:title \"{}\"@en ;\n  dct:description \"{}\"@en ;\n  \
         dcat:theme <{EU}data-theme/{}> ;\n  dct:issued \"{}-01-01\"^^xsd:date",
        escape(changed.titles.first().map(String::as_str).unwrap_or_default()),
        escape(&changed.description),
        TOPICS[original.topic].theme,
        original.year,
    );
    triples += 6;
    for identifier in &changed.identifiers {
        let _ = write!(out, " ;\n  dct:identifier \"{}\"", escape(identifier));
        triples += 1;
    }
    for page in &changed.landing_pages {
        let _ = write!(out, " ;\n  dcat:landingPage <{page}>");
        triples += 1;
    }
    if let Some(publisher) = &publisher {
        let _ = write!(out, " ;\n  dct:publisher <{publisher}>");
        triples += 1;
    }
    let urls = if changed.distribution_urls.is_empty() {
        vec![format!("{base}mirror/{}-{name}.csv", from.id)]
    } else {
        changed.distribution_urls.clone()
    };
    for (i, url) in urls.iter().enumerate() {
        let _ = write!(out, " ;\n  dcat:distribution <{iri}/distribution/{i}>");
        triples += 1;
        let _ = write!(
            out,
            " .\n<{iri}/distribution/{i}> a dcat:Distribution ; dcat:accessURL <{url}> ; dcat:downloadURL <{url}> ;\n  \
             dct:format <{EU}file-type/CSV> ; dct:license <{}>",
            LICENCES[0]
        );
        triples += 5;
    }
    // Where the aggregator took it from.
    let _ = writeln!(
        out,
        " .\n<{iri}> dct:source <{}> .",
        original.record.landing_pages[0]
    );
    triples += 1;
    Mirror {
        turtle: out,
        triples,
        iri,
    }
}

/// A case study citing `dataset` and up to two other recent datasets of its place.
fn case_study(
    region: &Region,
    dataset: &Dataset,
    recent: &[(String, String)],
    n: usize,
    rng: &mut Rng,
) -> String {
    let topic = &TOPICS[dataset.topic];
    let place = &dataset.town;
    let use_sentence = topic.uses[rng.below(topic.uses.len())];
    let pattern = if use_sentence.contains("policy")
        || use_sentence.contains("strategy")
        || use_sentence.contains("evidence")
    {
        "policy"
    } else if use_sentence.contains("plan")
        || use_sentence.contains("schedule")
        || use_sentence.contains("target")
    {
        "planning"
    } else {
        "access"
    };
    let mut cited = vec![dataset.record.iri.clone()];
    for (iri, town) in recent.iter().rev() {
        if town == place && !cited.contains(iri) && cited.len() < 3 {
            cited.push(iri.clone());
        }
    }
    let title = format!("{place} puts its {} data to work", topic.subject);
    let summary = format!("{use_sentence} The data is {} for {place}.", topic.what);
    let description = format!(
        "{summary} The team behind it reported that {} with the open data it publishes on {} Open Data.",
        match pattern {
            "policy" => "decisions are now argued from evidence",
            "planning" => "services are planned and delivered more efficiently",
            _ => "residents reach the service more easily",
        },
        region.name
    );
    let mut case = serde_json::json!({
        "id": format!("{}-case-{n}", region.id),
        "title": title,
        "summary": summary,
        "description": description,
        "place": place,
        "country": "GB",
        "year": dataset.year.min(2026),
        "organisations": [dataset.record.publisher.clone().unwrap_or_default()],
        "datasets": cited,
    });
    if rng.chance(0.5) {
        case["patterns"] = serde_json::json!([pattern]);
    }
    case.to_string()
}

fn config_text(regions: &[GeneratedRegion], case_studies: &Path) -> String {
    let mut out = String::from(
        "# Generated by `civicgraph gen`: every generated catalogue and the case studies as sources.\n\n\
         [harvest]\nparallel = 2\nmax_response_bytes = 4294967296\n",
    );
    for region in regions {
        let _ = write!(
            out,
            "\n[[source]]\nid = \"{}\"\nkind = \"dcat\"\npath = \"{}\"\ntitle = \"{} Open Data\"\nregion = \"{}\"\n",
            region.id,
            region.path.display(),
            region.name,
            region.name
        );
    }
    let _ = write!(
        out,
        "\n[[source]]\nid = \"case-studies\"\nkind = \"case-studies\"\npath = \"{}\"\ntitle = \"Generated case studies\"\n",
        case_studies.display()
    );
    out
}

/// `Bus stop locations` from `bus stop locations`.
fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A Turtle string body.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(settings: &GenSettings) -> (tempfile::TempDir, GenSummary) {
        let dir = tempfile::tempdir().unwrap();
        let summary = generate(dir.path(), settings).unwrap();
        (dir, summary)
    }

    #[test]
    fn the_same_seed_writes_the_same_bytes_and_another_seed_other_bytes() {
        let settings = GenSettings::new(600, 7);
        let (a, sa) = run(&settings);
        let (b, _) = run(&settings);
        let (c, _) = run(&GenSettings::new(600, 8));
        for region in &sa.regions {
            let name = region.path.file_name().unwrap();
            let first = std::fs::read(a.path().join("catalogues").join(name)).unwrap();
            assert_eq!(
                first,
                std::fs::read(b.path().join("catalogues").join(name)).unwrap()
            );
        }
        let read_all = |dir: &Path| std::fs::read(dir.join("duplicates.tsv")).unwrap();
        assert_eq!(read_all(a.path()), read_all(b.path()));
        assert_ne!(read_all(a.path()), read_all(c.path()));
    }

    #[test]
    fn every_file_parses_and_the_counts_add_up() {
        let (dir, summary) = run(&GenSettings::new(1000, 1));
        assert_eq!(summary.datasets, 1000);
        assert_eq!(summary.regions.len(), 4);
        let mut total = 0;
        for region in &summary.regions {
            let text = std::fs::read_to_string(&region.path).unwrap();
            let triples: Vec<_> = oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::Turtle)
                .for_slice(text.as_bytes())
                .collect::<std::result::Result<_, _>>()
                .unwrap();
            let unique: HashSet<_> = triples.iter().collect();
            assert_eq!(unique.len(), region.triples, "{}", region.id);
            let datasets = triples
                .iter()
                .filter(|q| {
                    q.predicate.as_str().ends_with("#type") && q.object.to_string().ends_with("#Dataset>")
                })
                .count();
            assert_eq!(datasets, region.originals + region.copies);
            total += datasets;
        }
        assert_eq!(total, 1000);
        let truth = std::fs::read_to_string(dir.path().join("duplicates.tsv")).unwrap();
        let copies: usize = summary.regions.iter().map(|r| r.copies).sum();
        assert_eq!(truth.lines().count() - 1, copies);
        assert!(copies > 40, "{copies}");
        let cases: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("case-studies.json")).unwrap()).unwrap();
        let cases = cases["case_studies"].as_array().unwrap();
        assert_eq!(cases.len(), summary.case_studies);
        assert!(
            cases
                .iter()
                .all(|c| !c["datasets"].as_array().unwrap().is_empty())
        );
        let config = std::fs::read_to_string(&summary.config).unwrap();
        assert_eq!(config.matches("[[source]]").count(), 5);
    }

    #[test]
    fn copies_live_in_the_next_region_and_differ_from_their_original() {
        let (dir, _) = run(&GenSettings::new(2000, 3));
        let truth = std::fs::read_to_string(dir.path().join("duplicates.tsv")).unwrap();
        for line in truth.lines().skip(1) {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_ne!(fields[0], fields[1]);
            assert_ne!(fields[2], fields[3]);
            assert!(fields[0].contains(&format!("data.{}.", fields[2])), "{line}");
            assert!(fields[1].contains(&format!("data.{}.", fields[3])), "{line}");
        }
    }
}
