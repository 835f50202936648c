//! `civicgraph validate FILE|URL`: reads a catalogue as a harvest would (any RDF syntax,
//! `data.json`, or a CKAN `package_search` response) and prints its report against a
//! validation profile (DCAT-AP 3.0.1 unless `--profile` names another) without storing
//! anything. Exits 1 when there are violations.

use super::Context;
use anyhow::Context as _;
use civicgraph_graph::Layout;
use civicgraph_ingest::document::{self, DocumentKind};
use civicgraph_ingest::fetch::{Fetcher, file_base_iri, read_file};
use civicgraph_ingest::mint::Minter;
use civicgraph_ingest::report::{FinishOptions, Report, finish};
use std::path::Path;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A file or an http(s) URL.
    target: String,
    /// What it is: dcat (any RDF syntax), datajson, ckan (a package_search response),
    /// case-studies or csw (a CSW GetRecords response); auto tells from the name and content.
    #[arg(long, default_value = "auto")]
    kind: String,
    /// The RDF syntax, when the extension or Content-Type does not tell.
    #[arg(long)]
    format: Option<String>,
    /// The IRI a file's relative IRIs resolve against, usually where it was published
    /// [default: the file's file:// URL; a URL's base is the URL].
    #[arg(long)]
    base: Option<String>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// The validation profile: dcat-ap-3 (the default), dcat-ap-hvd, dcat-ap-de,
    /// dcat-ap-de-conventions, dcat-ap-no, or a Turtle file of SHACL shapes.
    #[arg(long)]
    profile: Option<String>,
    /// Validate the document exactly as parsed and against the shapes alone: no minted IRIs,
    /// no date repairs, and none of the vocabularies' background knowledge that range checks
    /// otherwise read (so an authority table's `<…/file-type/CSV>` is not a
    /// dct:MediaTypeOrExtent). This is what an independent SHACL validator given only the
    /// shapes sees, so the verdicts can be compared one to one.
    #[arg(long)]
    raw: bool,
}

pub fn run(context: &Context, args: Args) -> anyhow::Result<()> {
    let settings = &context.config.harvest;
    let shapes = civicgraph_ingest::shacl::Shapes::profile(args.profile.as_deref().unwrap_or("dcat-ap-3"))?;
    for warning in &shapes.warnings {
        eprintln!("warning: {warning}");
    }
    let (bytes, name, content_type) = if args.target.starts_with("http://")
        || args.target.starts_with("https://")
    {
        // The URL the operator typed is the one host this may reach.
        let outbound =
            civicgraph_ingest::outbound::Outbound::new([args.target.as_str()], &[], &settings.private_hosts);
        let fetcher = Fetcher::new(settings, outbound)?;
        let runtime = tokio::runtime::Runtime::new()?;
        let fetched = runtime.block_on(fetcher.get(
            &args.target,
            "text/turtle, application/ld+json;q=0.9, application/rdf+xml;q=0.8, */*;q=0.1",
        ))?;
        (fetched.bytes, fetched.url, fetched.content_type)
    } else {
        (
            read_file(Path::new(&args.target), settings.max_response_bytes)?,
            args.target.clone(),
            None,
        )
    };
    let layout = Layout::new(&context.config.base_iri)?;
    let minter = Minter::new(&layout, "validate")?;
    let mut report = Report::default();
    report.documents.push(name.clone());
    let kind = match args.kind.as_str() {
        "auto" => DocumentKind::guess(&name, &bytes)
            .with_context(|| format!("{name}: cannot tell what kind of document this is; give --kind"))?,
        "dcat" => DocumentKind::Dcat,
        "datajson" => DocumentKind::Datajson,
        "ckan" => DocumentKind::CkanSearch,
        "case-studies" => DocumentKind::CaseStudiesJson,
        "csw" => DocumentKind::Csw,
        other => anyhow::bail!("--kind {other:?}: use dcat, datajson, ckan, case-studies or csw"),
    };
    let base = match args.base {
        Some(base) => base,
        None if name.starts_with("http://") || name.starts_with("https://") => name.clone(),
        None => file_base_iri(Path::new(&name))?,
    };
    let triples = document::map(
        kind,
        &bytes,
        &name,
        args.format.as_deref(),
        content_type.as_deref(),
        Some(&base),
        "https://ckan.invalid",
        &minter,
        &mut report,
    )?;
    let output = if args.raw {
        let mut report = report;
        let graph = civicgraph_ingest::source_graph::SourceGraph::new(&triples);
        let partition = civicgraph_ingest::records::Partition::of_graph(&graph);
        report.records_read = partition.counted().count();
        report.records_kept = report.records_read;
        report.violations = civicgraph_ingest::shacl::validate_graph(&shapes, &graph, None);
        drop(graph);
        civicgraph_ingest::SourceOutput {
            triples,
            report,
            partition,
            counts: None,
        }
    } else {
        let options = FinishOptions {
            shapes: Some(shapes),
            ..FinishOptions::default()
        };
        finish(triples, &minter, report, options)
    };
    let report = &output.report;
    let mut text = String::new();
    if args.json {
        text = serde_json::to_string_pretty(report)?;
        text.push('\n');
    } else {
        use std::fmt::Write as _;
        let _ = writeln!(
            text,
            "{name}: {} records, {} rejected, {} violations, {} warnings",
            report.records_read,
            report.rejections.len(),
            report.violation_count(),
            report.warnings.len()
        );
        for r in &report.rejections {
            let _ = writeln!(text, "rejected {} at {}: {}", r.record, r.position, r.reason);
        }
        for v in &report.violations {
            let _ = writeln!(text, "{:?} {}: {}", v.severity, v.focus, v.message);
        }
        for w in &report.warnings {
            let _ = writeln!(text, "warning: {w}");
        }
    }
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes());
    if report.violation_count() > 0 || !report.rejections.is_empty() {
        std::process::exit(1);
    }
    Ok(())
}
