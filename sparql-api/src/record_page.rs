//! Records at stable URLs of this server, rendered here rather than in the browser's script,
//! so that search engines and people without script see them:
//!
//! - `GET /record/{id}`: any record, minted or harvested (the id is its IRI, URL-encoded);
//!   the search API gives this URL in each hit as `page`;
//! - `GET /id/{path}`: the IRIs the server mints (`{base_iri}{path}`, `base_iri` ending in
//!   `/id/` by default), so that a minted IRI dereferences instead of answering 404;
//! - `GET /demo/{path}`: the demo's records, `https://w3id.org/civicgraph/demo/{path}`,
//!   where w3id sends them.
//!
//! Both negotiate: HTML for browsers, carrying schema.org JSON-LD (`Dataset`,
//! `CreativeWork` for a case study, `DataCatalog`) that Google Dataset Search reads; Turtle,
//! JSON-LD, RDF/XML or N-Triples for clients, with what the store says about the IRI. The
//! page shows the record view the JSON API answers ([`crate::api::records::read`]), so the
//! two never disagree. An IRI the store describes that is not a record (a distribution, an
//! agent, a pattern assignment) gets a plain page of its statements.

use crate::AppState;
use crate::api::labels::Labelled;
use crate::api::records::{RecordRef, RecordResponse};
use crate::error::ApiError;
use crate::html::{self, escape};
use crate::rdf_response::{RDF_FORMATS, graph_response};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use oxigraph::io::RdfFormat;
use oxigraph::model::{Graph as RdfGraph, NamedNode, NamedOrBlankNode, Term, Triple};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The most statements an RDF description or a plain page holds: a record's own triples and
/// those of its blank nodes are a few dozen; an IRI that thousands of quads are about
/// (a catalogue's `dcat:dataset` list) is cut here rather than built whole.
const MAX_TRIPLES: usize = 10_000;

/// The path of `iri`'s page on this server.
pub fn page_path(iri: &str) -> String {
    format!(
        "/record/{}",
        percent_encoding::utf8_percent_encode(iri, percent_encoding::NON_ALPHANUMERIC)
    )
}

/// `GET /record/{id}`.
pub async fn record(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let iri = NamedNode::new(id.trim())
        .map_err(|_| ApiError::NotFound(format!("{id:?} is not an IRI, so no record has it")))?;
    respond(&state, &headers, iri).await
}

/// `GET /id/{path}`: the minted IRI `{base_iri}{path}`.
pub async fn minted(
    State(state): State<AppState>,
    Path(path): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let base = state.graph.layout().base().to_owned();
    let iri = NamedNode::new(format!("{base}{path}"))
        .map_err(|_| ApiError::NotFound(format!("{base}{path} is not an IRI this server mints")))?;
    respond(&state, &headers, iri).await
}

/// `GET /demo/{path}`: the demo's IRI `https://w3id.org/civicgraph/demo/{path}`.
pub async fn demo(
    State(state): State<AppState>,
    Path(path): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let iri = NamedNode::new(format!("{}demo/{path}", html::VOCABULARY_ROOT))
        .map_err(|_| ApiError::NotFound(format!("demo/{path} is not a demo IRI")))?;
    respond(&state, &headers, iri).await
}

/// What a request gets: a page (HTML) or the statements (RDF), by its `Accept`.
async fn respond(state: &AppState, headers: &HeaderMap, iri: NamedNode) -> Result<Response, ApiError> {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut offers: Vec<(&str, Option<RdfFormat>)> = vec![("text/html", None)];
    offers.extend(RDF_FORMATS.iter().map(|(m, f)| (*m, Some(*f))));
    let choice = crate::negotiate::negotiate(accept.as_deref(), &offers).ok_or_else(|| {
        ApiError::NotAcceptable("a record is offered as HTML, Turtle, JSON-LD, RDF/XML or N-Triples".into())
    })?;
    let origin = crate::request_origin(&state.config, headers);
    let graph = state.graph.clone();
    state
        .work
        .run(move |running| {
            match choice {
                Some(format) => {
                    let statements = describe(&graph, &iri, running)?;
                    if statements.is_empty() {
                        return Err(nothing_about(&iri));
                    }
                    graph_response(
                        &statements,
                        accept.as_deref(),
                        &[(format.media_type(), format)],
                        &[],
                    )
                }
                None => {
                    let base = graph.layout().base().to_owned();
                    // A record's page is its record view; only an IRI that is no record
                    // needs its statements read.
                    match crate::api::records::read(&graph, iri.as_str()) {
                        Ok(record) => Ok(record_page(&record, &origin, &base)),
                        Err(error) => {
                            let statements = describe(&graph, &iri, running)?;
                            if statements.is_empty() {
                                Err(error.0)
                            } else {
                                Ok(statements_page(&iri, &statements, &base))
                            }
                        }
                    }
                }
            }
        })
        .await
}

fn nothing_about(iri: &NamedNode) -> ApiError {
    ApiError::NotFound(format!("the graph says nothing about <{}>", iri.as_str()))
}

/// What the store says about `iri` in any graph, with the statements of its blank nodes
/// (a concise bounded description), at most [`MAX_TRIPLES`].
fn describe(
    graph: &civicgraph_graph::Graph,
    iri: &NamedNode,
    running: &crate::work::Running,
) -> Result<RdfGraph, ApiError> {
    let mut out = RdfGraph::new();
    let mut pending: Vec<NamedOrBlankNode> = vec![iri.clone().into()];
    let mut seen = std::collections::HashSet::new();
    while let Some(subject) = pending.pop() {
        if !seen.insert(subject.clone()) {
            continue;
        }
        for quad in graph
            .store()
            .quads_for_pattern(Some(subject.as_ref()), None, None, None)
        {
            if out.len() >= MAX_TRIPLES || running.is_stopped() {
                return Ok(out);
            }
            let quad = quad.map_err(civicgraph_graph::GraphError::from)?;
            if let Term::BlankNode(node) = &quad.object {
                pending.push(node.clone().into());
            }
            out.insert(&Triple::from(quad));
        }
    }
    Ok(out)
}

/// The plain page of an IRI that is not a record: its statements in a table.
fn statements_page(iri: &NamedNode, statements: &RdfGraph, base: &str) -> Response {
    let mut rows: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for triple in statements {
        let subject = match triple.subject {
            oxigraph::model::NamedOrBlankNodeRef::NamedNode(n) => n.as_str().to_owned(),
            other => other.to_string(),
        };
        rows.entry(subject).or_default().push(format!(
            "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
            html::link_minted(triple.predicate.as_str(), triple.predicate.as_str(), base),
            match triple.object {
                oxigraph::model::TermRef::NamedNode(n) => html::link_minted(n.as_str(), n.as_str(), base),
                other => html::term(&other.into_owned()),
            }
        ));
    }
    let mut body = format!("<h1>{}</h1>", escape(iri.as_str()));
    for (subject, mut cells) in rows {
        cells.sort();
        body.push_str(&format!(
            "<section><h2>{}</h2><table>{}</table></section>",
            escape(&subject),
            cells.concat()
        ));
    }
    html::page(iri.as_str(), "", &body)
}

/// A link to another record's page.
fn record_link(record: &RecordRef) -> String {
    format!(
        "<a href=\"{}\">{}</a>",
        escape(&page_path(&record.iri)),
        escape(&record.title)
    )
}

/// A list of labelled values, each a link where its value is one.
fn labelled_list(values: &[Labelled], base: &str) -> String {
    values
        .iter()
        .map(|v| html::link_minted(&v.value, &v.label, base))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The HTML of a record: what the record page of the search page shows, and its JSON-LD.
fn record_page(record: &RecordResponse, origin: &str, base: &str) -> Response {
    let labelled_list = |values: &[Labelled]| labelled_list(values, base);
    let kind = match record.kind.as_str() {
        "dataset" => "Dataset",
        "case-study" => "Case study",
        "catalogue" => "Catalogue",
        _ => "Record",
    };
    let mut body = format!(
        "<article class=\"record\"><p class=\"kind\">{kind}</p><h1>{}</h1>",
        escape(&record.title)
    );
    if let Some(description) = &record.description_text {
        // A catalogue's HTML description is shown as its text, never as tags.
        body.push_str(&format!("<p class=\"description\">{}</p>", escape(description)));
    }
    let patterns: Vec<String> = record
        .patterns
        .iter()
        .filter(|p| p.pattern != "none")
        .map(|p| {
            let how = if p.method == "curated" {
                "stated by the source".to_owned()
            } else {
                format!("inferred, confidence {:.0}%", p.confidence * 100.0)
            };
            let evidence = if p.evidence.is_empty() {
                String::new()
            } else {
                format!(
                    "<ul class=\"evidence\">{}</ul>",
                    p.evidence
                        .iter()
                        .map(|e| format!("<li>{}</li>", escape(e)))
                        .collect::<String>()
                )
            };
            format!(
                "<li>{} — {}{evidence}</li>",
                html::link(
                    &format!("{}{}", civicgraph_vocab::cgp::NAMESPACE, p.pattern),
                    &p.label
                ),
                escape(&how)
            )
        })
        .collect();
    body.push_str("<section><h2>ODI patterns of use</h2>");
    if patterns.is_empty() {
        body.push_str("<p>None: it shows no pattern of open-data use in public services.</p>");
    } else {
        body.push_str(&format!("<ul class=\"patterns\">{}</ul>", patterns.concat()));
    }
    body.push_str("</section><dl class=\"facts\">");
    let mut fact = |name: &str, value: String| {
        if !value.is_empty() {
            body.push_str(&format!("<dt>{}</dt><dd>{value}</dd>", escape(name)));
        }
    };
    let organisations = if record.kind == "case-study" {
        "Organisations"
    } else {
        "Publisher"
    };
    fact(organisations, labelled_list(&record.publishers));
    fact("Themes", labelled_list(&record.themes));
    fact("Places", labelled_list(&record.places));
    fact("Who benefits", labelled_list(&record.beneficiaries));
    fact("Enablers", labelled_list(&record.enablers));
    fact("Who acts", labelled_list(&record.actors));
    fact("Channels", labelled_list(&record.channels));
    fact("Benefits of co-creation", labelled_list(&record.benefits));
    fact(
        "Keywords",
        record
            .keywords
            .iter()
            .map(|k| escape(k))
            .collect::<Vec<_>>()
            .join(", "),
    );
    fact("Issued", record.issued.as_deref().map(escape).unwrap_or_default());
    fact(
        "Modified",
        record.modified.as_deref().map(escape).unwrap_or_default(),
    );
    fact("Catalogues", labelled_list(&record.catalogues));
    fact(
        "Outcome",
        record.outcome.as_deref().map(escape).unwrap_or_default(),
    );
    fact(
        "Pages",
        record
            .pages
            .iter()
            .map(|p| html::link(p, p))
            .collect::<Vec<_>>()
            .join("<br>"),
    );
    body.push_str("</dl>");
    if !record.distributions.is_empty() {
        body.push_str("<section><h2>Distributions</h2><ul class=\"distributions\">");
        for d in &record.distributions {
            // A format named only by its IRI (a media type) is shown when nothing names it.
            let named: Vec<Labelled> = d
                .formats
                .iter()
                .filter(|f| html::href(&f.label).is_none())
                .cloned()
                .collect();
            let formats = if named.is_empty() { &d.formats } else { &named };
            let mut parts = vec![format!(
                "<strong>{}</strong>",
                escape(d.title.as_deref().unwrap_or("Distribution"))
            )];
            if !formats.is_empty() {
                parts.push(labelled_list(formats));
            }
            parts.extend(d.download_urls.iter().map(|u| html::link(u, "download")));
            parts.extend(d.access_urls.iter().map(|u| html::link(u, "access")));
            if !d.licences.is_empty() {
                parts.push(format!("licence: {}", labelled_list(&d.licences)));
            }
            body.push_str(&format!("<li>{}</li>", parts.join(" · ")));
        }
        body.push_str("</ul></section>");
    }
    for (heading, records) in [
        ("Datasets it used", &record.datasets),
        ("Case studies that used it", &record.case_studies),
    ] {
        if !records.is_empty() {
            body.push_str(&format!(
                "<section><h2>{heading}</h2><ul>{}</ul></section>",
                records
                    .iter()
                    .map(|r| format!("<li>{}</li>", record_link(r)))
                    .collect::<String>()
            ));
        }
    }
    if !record.copies.is_empty() {
        body.push_str(&format!(
            "<section><h2>The same dataset in {} catalogues</h2><ul>",
            record.catalogue_count
        ));
        for copy in &record.copies {
            body.push_str(&format!(
                "<li>{} in {}</li>",
                record_link(&RecordRef {
                    iri: copy.iri.clone(),
                    title: copy.title.clone()
                }),
                labelled_list(&copy.catalogues)
            ));
        }
        body.push_str("</ul></section>");
    }
    let encoded = percent_encoding::utf8_percent_encode(&record.iri, percent_encoding::NON_ALPHANUMERIC);
    body.push_str(&format!(
        "<p class=\"more\">IRI: {}<br><a href=\"/#/record/{encoded}\">Open in the search page</a> · \
         <a href=\"/api/records/{encoded}\">JSON</a></p></article>",
        html::link_minted(&record.iri, &record.iri, base)
    ));
    let url = format!("{origin}{}", page_path(&record.iri));
    let head = format!(
        "<link rel=\"canonical\" href=\"{}\">{}",
        escape(&url),
        html::json_ld(&schema_org(record, &url, origin))
    );
    html::page(&record.title, &head, &body)
}

/// The record as schema.org: a `Dataset`, a `CreativeWork` (a case study) or a
/// `DataCatalog`, with what Google Dataset Search reads (name, description, url, sameAs,
/// identifier, keywords, creator, license, distribution, spatialCoverage, dates,
/// includedInDataCatalog) and the links between case studies and datasets.
pub fn schema_org(record: &RecordResponse, url: &str, origin: &str) -> Value {
    let names = |values: &[Labelled]| -> Vec<String> { values.iter().map(|v| v.label.clone()).collect() };
    let reference = |r: &RecordRef, kind: &str| json!({"@type": kind, "@id": r.iri, "name": r.title, "url": format!("{origin}{}", page_path(&r.iri))});
    let kind = match record.kind.as_str() {
        "dataset" => "Dataset",
        "catalogue" => "DataCatalog",
        _ => "CreativeWork",
    };
    let mut keywords = record.keywords.clone();
    for concept in [
        &record.themes,
        &record.beneficiaries,
        &record.enablers,
        &record.actors,
        &record.channels,
        &record.benefits,
    ] {
        keywords.extend(names(concept));
    }
    keywords.extend(
        record
            .patterns
            .iter()
            .filter(|p| p.pattern != "none")
            .map(|p| p.label.clone()),
    );
    keywords.sort();
    keywords.dedup();
    let organisations: Vec<Value> = record
        .publishers
        .iter()
        .map(|p| {
            let mut organisation = json!({"@type": "Organization", "name": p.label});
            if html::href(&p.value).is_some() && p.value != p.label {
                organisation["@id"] = json!(p.value);
            }
            organisation
        })
        .collect();
    let mut out = json!({
        "@context": "https://schema.org/",
        "@type": kind,
        "@id": record.iri,
        "name": record.title,
        "url": url,
        "identifier": record.iri,
    });
    let mut set = |key: &str, value: Value| {
        let empty = match &value {
            Value::Array(items) => items.is_empty(),
            Value::Null => true,
            Value::String(s) => s.is_empty(),
            _ => false,
        };
        if !empty {
            out[key] = value;
        }
    };
    set("description", json!(record.description_text));
    set("keywords", json!(keywords));
    set("sameAs", json!(record.pages));
    set("spatialCoverage", json!(names(&record.places)));
    set("datePublished", json!(record.issued));
    set("dateModified", json!(record.modified));
    set(
        "includedInDataCatalog",
        Value::Array(
            record
                .catalogues
                .iter()
                .map(|c| json!({"@type": "DataCatalog", "@id": c.value, "name": c.label}))
                .collect(),
        ),
    );
    match kind {
        "Dataset" => {
            set("creator", Value::Array(organisations));
            let mut licences: Vec<String> = record
                .distributions
                .iter()
                .flat_map(|d| d.licences.iter().map(|l| l.value.clone()))
                .collect();
            licences.sort();
            licences.dedup();
            set("license", json!(licences));
            set(
                "distribution",
                Value::Array(
                    record
                        .distributions
                        .iter()
                        .filter_map(|d| {
                            let url = d.download_urls.first().or(d.access_urls.first())?;
                            let mut download = json!({"@type": "DataDownload", "contentUrl": url});
                            if let Some(format) = d.formats.first() {
                                download["encodingFormat"] = json!(format.label);
                            }
                            if let Some(title) = &d.title {
                                download["name"] = json!(title);
                            }
                            Some(download)
                        })
                        .collect(),
                ),
            );
            set(
                "subjectOf",
                Value::Array(
                    record
                        .case_studies
                        .iter()
                        .map(|c| reference(c, "CreativeWork"))
                        .collect(),
                ),
            );
        }
        "CreativeWork" => {
            set("contributor", Value::Array(organisations));
            set(
                "about",
                Value::Array(
                    [
                        &record.beneficiaries,
                        &record.enablers,
                        &record.actors,
                        &record.channels,
                        &record.benefits,
                    ]
                    .into_iter()
                    .flatten()
                    .map(|c| json!({"@type": "DefinedTerm", "@id": c.value, "name": c.label}))
                    .collect(),
                ),
            );
            set(
                "isBasedOn",
                Value::Array(record.datasets.iter().map(|d| reference(d, "Dataset")).collect()),
            );
        }
        _ => set("publisher", Value::Array(organisations)),
    }
    out
}
