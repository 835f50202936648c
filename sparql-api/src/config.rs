//! `civicgraph.toml`: every key has a default and unknown keys are an error, so a typo is
//! caught at start rather than silently ignored.

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The server and CLI configuration.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where the store and index live.
    pub data_dir: PathBuf,
    /// The address `serve` listens on.
    pub bind: SocketAddr,
    /// The base IRI of minted IRIs and graph names.
    pub base_iri: String,
    /// The server's address as its clients reach it, such as `https://hub.example.org`
    /// behind a TLS proxy: the origin of `/catalog` page links, VoID's IRIs and the base
    /// IRI of queries and updates. Unset: `http://` and the request's `Host`.
    pub public_url: Option<String>,
    /// Limits and dataset rules for SPARQL queries.
    pub query: QueryConfig,
    /// Who may write.
    pub auth: AuthConfig,
    /// Limits that protect the server.
    pub limits: LimitsConfig,
    /// How answers are sent and requests logged (`[http]`).
    pub http: HttpConfig,
    /// How harvests fetch (timeouts, retries, delays, size limits, parallelism).
    pub harvest: civicgraph_ingest::HarvestSettings,
    /// Which remote endpoints `SERVICE` may call.
    pub federation: crate::federation::FederationConfig,
    /// Pattern tagging: thresholds and the model file.
    pub tagging: civicgraph_ingest::enrich::tag::TagSettings,
    /// Cross-catalogue linking: scores and limits.
    pub linking: civicgraph_ingest::enrich::link::LinkSettings,
    /// The sources to harvest: `[[source]]` entries.
    #[serde(rename = "source")]
    pub sources: Vec<civicgraph_ingest::SourceConfig>,
}

/// Limits on requests.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    /// The largest request body accepted, in bytes (413 above it).
    pub max_body_bytes: usize,
    /// The bytes of request bodies without the write token that the server reads and
    /// holds at once, all clients together; a body that would pass it is answered 503 with
    /// Retry-After. Bodies are read whole before a request slot is taken, so without a
    /// budget a thousand connections each sending the body limit held 16 GiB.
    pub max_buffered_body_bytes: usize,
    /// Requests served at once; more are answered 503 with Retry-After. `/healthz` is not
    /// counted, so health checks keep working under load.
    pub max_concurrent_requests: usize,
    /// SPARQL queries evaluated at once (the rest of the admitted requests wait for a
    /// slot); 0 means twice the number of cores.
    pub max_concurrent_queries: usize,
    /// Of those, how many may run longer than `long_query_after_ms`; a query that reaches
    /// it while these are taken is stopped (503), so long queries never hold every slot.
    pub long_queries: usize,
    /// When a query counts as long, in milliseconds.
    pub long_query_after_ms: u64,
    /// Bytes the process's memory may grow by while queries run before they are stopped
    /// (503); 0 turns the check off.
    pub query_memory_bytes: u64,
    /// Requests a second each client may make (its write token, else its address), beyond
    /// which it gets 429 with `Retry-After`; 0 turns quotas off.
    pub client_requests_per_second: u32,
    /// How many requests a client may make at once before its rate applies.
    pub client_burst: u32,
    /// Take the client's address from `X-Forwarded-For` (only behind a proxy that sets it).
    pub trust_forwarded_for: bool,
    /// Connections kept open at once, at most half the file descriptors the process may
    /// open; another is answered 503 and closed before any of it is read.
    pub max_connections: usize,
    /// Connections kept open at once from one client address (0: no limit; not applied
    /// with `trust_forwarded_for`, where every connection comes from the proxy).
    pub max_connections_per_client: usize,
}

impl LimitsConfig {
    /// The number of query slots: `max_concurrent_queries`, or twice the cores.
    pub fn query_workers(&self) -> usize {
        match self.max_concurrent_queries {
            0 => 2 * std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        }
    }
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 16 * 1024 * 1024,
            max_buffered_body_bytes: 256 * 1024 * 1024,
            max_concurrent_requests: 64,
            max_concurrent_queries: 0,
            long_queries: 1,
            long_query_after_ms: 2_000,
            query_memory_bytes: 1 << 30,
            client_requests_per_second: 0,
            client_burst: 50,
            trust_forwarded_for: false,
            max_connections: 1024,
            max_connections_per_client: 64,
        }
    }
}

/// How answers are sent and requests logged.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// Compress answers with gzip or brotli when the client accepts them (`Accept-Encoding`).
    pub compression: bool,
    /// Log each request (at `info`): its id (`x-request-id`, the client's or a new UUID, and
    /// sent back), method, path, status and latency. The query string is not logged: it can
    /// be long, and a SPARQL query is the client's business.
    pub request_log: bool,
    /// Serve `/metrics` (Prometheus text format).
    pub metrics: bool,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            compression: true,
            request_log: true,
            metrics: true,
        }
    }
}

/// Write access. The token itself never sits in the file: it is read from an environment
/// variable, so configuration can be shared and committed without the secret.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// The environment variable holding the write token; writes are off when it is unset
    /// or empty.
    pub token_env: String,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            token_env: "CIVICGRAPH_UPDATE_TOKEN".to_owned(),
        }
    }
}

/// SPARQL query settings.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct QueryConfig {
    /// Seconds a query may run before it is cancelled.
    pub timeout_secs: u64,
    /// Whether a query that names no dataset sees the union of all graphs (true) or the
    /// store's own default graph.
    pub union_default_graph: bool,
    /// The most solutions (or triples) one HTTP response carries; a longer result is cut
    /// and the response carries `X-SPARQL-MaxRows`. 0 (the default) means no limit, and
    /// answers are streamed; with a limit they are serialized before they are sent, so
    /// that the header can say whether the limit cut them.
    pub max_result_rows: usize,
    /// Bytes of serialized answers kept for repeated queries until the next write; 0 turns
    /// the cache off.
    pub cache_bytes: usize,
    /// The longest string one SPARQL expression may build (`CONCAT`, `REPLACE`,
    /// `GROUP_CONCAT`, ...); a longer one is an expression error, so the variable stays
    /// unbound.
    pub max_string_bytes: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("civicgraph-data"),
            bind: SocketAddr::from(([127, 0, 0, 1], 7878)),
            base_iri: civicgraph_graph::Layout::DEFAULT_BASE.to_owned(),
            public_url: None,
            query: QueryConfig::default(),
            auth: AuthConfig::default(),
            limits: LimitsConfig::default(),
            http: HttpConfig::default(),
            harvest: civicgraph_ingest::HarvestSettings::default(),
            federation: crate::federation::FederationConfig::default(),
            tagging: civicgraph_ingest::enrich::tag::TagSettings::default(),
            linking: civicgraph_ingest::enrich::link::LinkSettings::default(),
            sources: Vec::new(),
        }
    }
}

impl Default for QueryConfig {
    fn default() -> Self {
        Self {
            timeout_secs: 30,
            union_default_graph: true,
            max_result_rows: 0,
            cache_bytes: 64 * 1024 * 1024,
            max_string_bytes: civicgraph_graph::DEFAULT_MAX_STRING_BYTES,
        }
    }
}

/// A configuration file that could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML for this schema (the message has line and column).
    #[error("{path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What the TOML parser said, with the position.
        message: String,
    },
    /// A value parsed but makes no sense.
    #[error("{path}: {key}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The offending key.
        key: &'static str,
        /// Why.
        message: String,
    },
}

impl Config {
    /// Reads and validates a configuration file.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        let config: Self = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        config.validate(path)?;
        Ok(config)
    }

    /// Checks what serde cannot.
    pub fn validate(&self, path: &Path) -> Result<(), ConfigError> {
        if self.federation.from_catalogues && self.federation.catalogue_hosts.is_empty() {
            return Err(ConfigError::Invalid {
                path: path.to_owned(),
                key: "federation.catalogue_hosts",
                message: "from_catalogues needs the hosts catalogues' endpoints may be on (\"data.example.org\", \"*.example.org\", or \"*\" for any host name)".to_owned(),
            });
        }
        civicgraph_graph::Layout::new(&self.base_iri).map_err(|e| ConfigError::Invalid {
            path: path.to_owned(),
            key: "base_iri",
            message: e.to_string(),
        })?;
        if let Some(url) = &self.public_url {
            let origin = url
                .strip_prefix("https://")
                .or_else(|| url.strip_prefix("http://"));
            if !origin.is_some_and(|host| {
                !host.is_empty()
                    && !host.contains(['/', '?', '#', ' '])
                    && oxiri::Iri::parse(url.as_str()).is_ok()
            }) {
                return Err(ConfigError::Invalid {
                    path: path.to_owned(),
                    key: "public_url",
                    message: format!(
                        "{url:?} is not an origin such as https://hub.example.org (scheme and host, no path)"
                    ),
                });
            }
        }
        if self.limits.max_concurrent_requests == 0 || self.limits.max_body_bytes == 0 {
            return Err(ConfigError::Invalid {
                path: path.to_owned(),
                key: "limits",
                message: "max_body_bytes and max_concurrent_requests must be at least 1".to_owned(),
            });
        }
        let mut ids = std::collections::HashSet::new();
        for source in &self.sources {
            source.check().map_err(|e| ConfigError::Invalid {
                path: path.to_owned(),
                key: "source",
                message: e.to_string(),
            })?;
            if !ids.insert(source.id.as_str()) {
                return Err(ConfigError::Invalid {
                    path: path.to_owned(),
                    key: "source",
                    message: format!("two sources have the id {:?}", source.id),
                });
            }
        }
        self.tagging.check().map_err(|e| ConfigError::Invalid {
            path: path.to_owned(),
            key: "tagging",
            message: e.to_string(),
        })?;
        self.linking.check().map_err(|e| ConfigError::Invalid {
            path: path.to_owned(),
            key: "linking",
            message: e.to_string(),
        })?;
        if self.harvest.parallel == 0 {
            return Err(ConfigError::Invalid {
                path: path.to_owned(),
                key: "harvest.parallel",
                message: "must be at least 1".to_owned(),
            });
        }
        if self.query.timeout_secs == 0 {
            return Err(ConfigError::Invalid {
                path: path.to_owned(),
                key: "query.timeout_secs",
                message: "must be at least 1".to_owned(),
            });
        }
        Ok(())
    }

    /// The write token from the environment, if one is set.
    pub fn write_token(&self) -> Option<String> {
        std::env::var(&self.auth.token_env).ok().filter(|t| !t.is_empty())
    }

    /// The query timeout.
    pub fn query_timeout(&self) -> Duration {
        Duration::from_secs(self.query.timeout_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("civicgraph.toml");
        std::fs::write(&path, text).unwrap();
        Config::from_file(&path)
    }

    #[test]
    fn every_key_has_a_default() {
        assert_eq!(parse("").unwrap(), Config::default());
    }

    #[test]
    fn unknown_keys_are_errors_with_a_position() {
        let error = parse("bind = \"127.0.0.1:9000\"\ndata_dri = \"x\"\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("data_dri") && error.contains("line 2"), "{error}");
    }

    #[test]
    fn invalid_values_name_their_key() {
        let error = parse("base_iri = \"not an iri\"").unwrap_err().to_string();
        assert!(error.contains("base_iri"), "{error}");
        let error = parse("[query]\ntimeout_secs = 0").unwrap_err().to_string();
        assert!(error.contains("query.timeout_secs"), "{error}");
        for bad in [
            "hub.example.org",
            "https://hub.example.org/sparql",
            "ftp://hub.example.org",
        ] {
            let error = parse(&format!("public_url = {bad:?}")).unwrap_err().to_string();
            assert!(error.contains("public_url"), "{bad}: {error}");
        }
        assert!(parse("public_url = \"https://hub.example.org:8443\"").is_ok());
    }
}
