//! `SERVICE <http://peer/sparql> { ... }`: federated queries, to allow-listed endpoints only.
//!
//! Every `SERVICE` IRI other than civicgraph's own search service comes here. An endpoint
//! not on `[federation] allow` is refused before any connection is made, so a query cannot
//! make the server reach `localhost`, link-local or cloud-metadata addresses, or anything
//! else the operator did not list. An allowed endpoint gets the pattern as a SPARQL `SELECT`
//! (POST `application/sparql-query`), with a timeout, no redirects (a redirect could lead
//! off the list) and a response size limit. `SERVICE SILENT` keeps its standard meaning:
//! Oxigraph turns any error of this handler into one empty solution.
//!
//! **Endpoints from the graph.** With `from_catalogues = true`, an endpoint is also allowed
//! when a harvested catalogue describes it: it is the `dcat:endpointURL` of a
//! `dcat:DataService` in a source graph, and its host matches one of `catalogue_hosts`.
//! Catalogues are untrusted data, so the operator's host patterns decide where they may
//! send the server: `data.example.org`, `*.example.org` (its subdomains) or `*` (any host
//! name). An address or `localhost` must be listed as itself (never by a wildcard), because
//! it is connected to without the resolver that refuses private addresses. Every other rule
//! holds as for the allow-list: http and https only, no redirects, the timeout, the size
//! limit, and host names that resolve to private addresses refused unless in
//! `private_hosts`.

use civicgraph_graph::Graph;
use civicgraph_vocab::ext::dcat;
use oxigraph::model::vocab::rdf;
use oxigraph::model::{GraphNameRef, NamedNode, NamedNodeRef, NamedOrBlankNodeRef, QuadRef, TermRef};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsParser, SliceQueryResultsParserOutput};
use oxigraph::sparql::{DefaultServiceHandler, QueryEvaluationError, QuerySolutionIter};
use spargebra::algebra::GraphPattern;
use std::sync::Arc;
use std::time::Duration;

/// Why a `SERVICE` call failed.
#[derive(Debug, thiserror::Error)]
pub enum FederationError {
    /// The endpoint is not on the allow-list; nothing was sent.
    #[error(
        "SERVICE <{0}> is not on the federation allow-list ([federation] allow in civicgraph.toml) nor the endpoint of a harvested data service that [federation] from_catalogues and catalogue_hosts allow; no request was made"
    )]
    NotAllowed(String),
    /// The endpoint failed, answered badly, or took too long.
    #[error("SERVICE <{endpoint}>: {message}")]
    Remote {
        /// The endpoint.
        endpoint: String,
        /// What happened.
        message: String,
    },
}

/// The `[federation]` settings.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FederationConfig {
    /// Endpoint URLs `SERVICE` may call, exactly (a trailing `/` ignored).
    pub allow: Vec<String>,
    /// Seconds one remote call may take.
    pub timeout_secs: u64,
    /// The largest response read from a remote endpoint, in bytes.
    pub max_response_bytes: usize,
    /// Hosts that may resolve to loopback, private or link-local addresses (an endpoint
    /// written with an address or `localhost` may always be reached).
    pub private_hosts: Vec<String>,
    /// Also allow the `dcat:endpointURL`s of the data services harvested catalogues
    /// describe, when their host matches `catalogue_hosts`.
    pub from_catalogues: bool,
    /// Host patterns for endpoints from catalogues: `data.example.org`, `*.example.org`,
    /// or `*`; an address or `localhost` only as itself.
    pub catalogue_hosts: Vec<String>,
}

impl Default for FederationConfig {
    fn default() -> Self {
        Self {
            allow: Vec::new(),
            timeout_secs: 20,
            max_response_bytes: 32 * 1024 * 1024,
            private_hosts: Vec::new(),
            from_catalogues: false,
            catalogue_hosts: Vec::new(),
        }
    }
}

/// The handler for every `SERVICE` that is not civicgraph's own.
#[derive(Debug, Clone)]
pub struct Federation {
    allow: Vec<String>,
    timeout: Duration,
    max_bytes: usize,
    client: reqwest::Client,
    /// With `from_catalogues`: the graph whose data services may be called, and the hosts.
    catalogues: Option<(Arc<Graph>, Vec<String>)>,
}

fn normalise(url: &str) -> String {
    url.trim().trim_end_matches('/').to_owned()
}

impl Federation {
    /// A handler for `config`.
    pub fn new(config: &FederationConfig) -> Self {
        let timeout = Duration::from_secs(config.timeout_secs.max(1));
        // The allow-listed endpoints' hosts, and the resolver's check on every address
        // connected to; no redirects at all.
        let outbound = civicgraph_ingest::outbound::Outbound::new(
            config.allow.iter().map(String::as_str),
            &[],
            &config.private_hosts,
        );
        let client = outbound
            .apply(reqwest::Client::builder())
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!(
                "civicgraph/",
                env!("CARGO_PKG_VERSION"),
                " (SPARQL federation)"
            ))
            .build()
            .unwrap_or_default();
        Self {
            allow: config.allow.iter().map(|u| normalise(u)).collect(),
            timeout,
            max_bytes: config.max_response_bytes,
            client,
            catalogues: None,
        }
    }

    /// Also allows the endpoints of the data services that `graph`'s harvested catalogues
    /// describe, on the hosts `config` allows for them (nothing unless `from_catalogues`).
    pub fn with_catalogues(mut self, config: &FederationConfig, graph: Arc<Graph>) -> Self {
        if config.from_catalogues {
            let hosts = config
                .catalogue_hosts
                .iter()
                .map(|h| h.trim().to_ascii_lowercase())
                .collect();
            self.catalogues = Some((graph, hosts));
        }
        self
    }

    /// Whether `endpoint` may be called.
    pub fn allows(&self, endpoint: &str) -> bool {
        let endpoint = normalise(endpoint);
        (endpoint.starts_with("http://") || endpoint.starts_with("https://"))
            && (self.allow.contains(&endpoint) || self.described_by_catalogue(&endpoint))
    }

    /// Whether `endpoint` is a harvested data service's, on a host the operator allows.
    fn described_by_catalogue(&self, endpoint: &str) -> bool {
        let Some((graph, hosts)) = &self.catalogues else {
            return false;
        };
        let Some(host) = reqwest::Url::parse(endpoint)
            .ok()
            .and_then(|url| url.host_str().map(str::to_ascii_lowercase))
        else {
            return false;
        };
        if !hosts.iter().any(|pattern| host_matches(&host, pattern)) {
            return false;
        }
        // As written in the catalogue, with or without a trailing slash.
        [endpoint.to_owned(), format!("{endpoint}/")]
            .iter()
            .any(|candidate| {
                NamedNode::new(candidate.as_str())
                    .is_ok_and(|iri| described_service(graph, iri.as_ref()).unwrap_or(false))
            })
    }

    async fn call(&self, endpoint: &str, query: String) -> Result<(String, Vec<u8>), FederationError> {
        let remote = |message: String| FederationError::Remote {
            endpoint: endpoint.to_owned(),
            message,
        };
        let mut response = self
            .client
            .post(endpoint)
            .header(reqwest::header::CONTENT_TYPE, "application/sparql-query")
            .header(
                reqwest::header::ACCEPT,
                "application/sparql-results+json, application/sparql-results+xml;q=0.9",
            )
            .body(query)
            .send()
            .await
            .map_err(|e| {
                remote(if e.is_timeout() {
                    format!("no answer within {} s", self.timeout.as_secs())
                } else {
                    e.to_string()
                })
            })?;
        if !response.status().is_success() {
            return Err(remote(format!("answered HTTP {}", response.status())));
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| remote(e.to_string()))? {
            if body.len() + chunk.len() > self.max_bytes {
                return Err(remote(format!("answered more than {} bytes", self.max_bytes)));
            }
            body.extend_from_slice(&chunk);
        }
        Ok((content_type, body))
    }

    fn solutions(
        &self,
        endpoint: &str,
        query: String,
    ) -> Result<QuerySolutionIter<'static>, FederationError> {
        let future = self.call(endpoint, query);
        // Evaluation runs on a blocking thread: inside the server that thread belongs to its
        // runtime, in the CLI there is none.
        let (content_type, body) = match tokio::runtime::Handle::try_current() {
            Ok(handle) => handle.block_on(future),
            Err(_) => tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| FederationError::Remote {
                    endpoint: endpoint.to_owned(),
                    message: e.to_string(),
                })?
                .block_on(future),
        }?;
        let remote = |message: String| FederationError::Remote {
            endpoint: endpoint.to_owned(),
            message,
        };
        let media = content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned();
        let format = QueryResultsFormat::from_media_type(&media).ok_or_else(|| {
            remote(format!(
                "answered Content-Type {content_type:?}, not SPARQL results"
            ))
        })?;
        let SliceQueryResultsParserOutput::Solutions(reader) = QueryResultsParser::from_format(format)
            .for_slice(&body)
            .map_err(|e| remote(e.to_string()))?
        else {
            return Err(remote("answered a boolean, not solutions".to_owned()));
        };
        let variables = reader.variables().to_vec();
        let mut solutions = Vec::new();
        for solution in reader {
            solutions.push(Ok(solution.map_err(|e| remote(e.to_string()))?));
        }
        Ok(QuerySolutionIter::new(variables.into(), solutions))
    }
}

/// Whether `host` matches the operator's `pattern`: itself, `*.suffix` for the suffix's
/// subdomains, or `*` for any host name. An address or `localhost` matches only itself.
fn host_matches(host: &str, pattern: &str) -> bool {
    let literal = host == "localhost" || host.trim_matches(['[', ']']).parse::<std::net::IpAddr>().is_ok();
    if host == pattern {
        return true;
    }
    if literal {
        return false;
    }
    pattern == "*"
        || pattern
            .strip_prefix("*.")
            .is_some_and(|suffix| host.strip_suffix(suffix).is_some_and(|head| head.ends_with('.')))
}

/// Whether a source graph of `graph` describes a `dcat:DataService` whose endpoint is
/// `endpoint`.
fn described_service(
    graph: &Graph,
    endpoint: NamedNodeRef<'_>,
) -> Result<bool, civicgraph_graph::GraphError> {
    let layout = graph.layout();
    let store = graph.store();
    for quad in store.quads_for_pattern(None, Some(dcat::ENDPOINT_URL), Some(endpoint.into()), None) {
        let quad = quad.map_err(civicgraph_graph::GraphError::from)?;
        let GraphNameRef::NamedNode(source) = quad.graph_name.as_ref() else {
            continue;
        };
        if layout.source_id(source.as_str()).is_none() {
            continue;
        }
        let subject: NamedOrBlankNodeRef<'_> = quad.subject.as_ref();
        let typed = QuadRef::new(subject, rdf::TYPE, TermRef::from(dcat::DATA_SERVICE), source);
        if store
            .contains(typed)
            .map_err(civicgraph_graph::GraphError::from)?
        {
            return Ok(true);
        }
    }
    Ok(false)
}

impl DefaultServiceHandler for Federation {
    type Error = QueryEvaluationError;

    fn handle(
        &self,
        service_name: &NamedNode,
        pattern: &GraphPattern,
        base_iri: Option<&oxiri::Iri<String>>,
    ) -> Result<QuerySolutionIter<'static>, Self::Error> {
        let endpoint = service_name.as_str();
        if !self.allows(endpoint) {
            tracing::warn!(endpoint, "SERVICE refused: not on the allow-list");
            return Err(QueryEvaluationError::Service(Box::new(
                FederationError::NotAllowed(endpoint.to_owned()),
            )));
        }
        let query = spargebra::Query::Select {
            dataset: None,
            pattern: pattern.clone(),
            base_iri: base_iri.cloned(),
        }
        .to_string();
        self.solutions(endpoint, query)
            .map_err(|e| QueryEvaluationError::Service(Box::new(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_listed_endpoints_are_allowed() {
        let federation = Federation::new(&FederationConfig {
            allow: vec!["https://data.europa.eu/sparql/".to_owned()],
            ..FederationConfig::default()
        });
        assert!(federation.allows("https://data.europa.eu/sparql"));
        for refused in [
            "https://data.europa.eu/sparql/../admin",
            "http://data.europa.eu/sparql",
            "http://localhost:7878/sparql",
            "http://169.254.169.254/latest/meta-data",
            "file:///etc/passwd",
        ] {
            assert!(!federation.allows(refused), "{refused}");
        }
    }

    #[test]
    fn catalogue_hosts_match_themselves_subdomains_or_any_name_but_addresses_only_themselves() {
        assert!(host_matches("data.example.org", "data.example.org"));
        assert!(host_matches("a.data.example.org", "*.example.org"));
        assert!(!host_matches("example.org", "*.example.org"));
        assert!(!host_matches("evilexample.org", "*.example.org"));
        assert!(host_matches("portal.gov.example", "*"));
        for literal in ["127.0.0.1", "169.254.169.254", "localhost", "[::1]"] {
            assert!(!host_matches(literal, "*"), "{literal}");
        }
        assert!(host_matches("127.0.0.1", "127.0.0.1"));
    }
}
