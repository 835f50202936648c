//! The harvest configuration: `[[source]]` entries and the `[harvest]` settings of
//! `civicgraph.toml`.
//!
//! ```toml
//! [harvest]
//! parallel = 2              # sources read at once (one more may be written meanwhile)
//! timeout_secs = 60         # per HTTP request
//! retries = 3               # after the first try, with exponential backoff
//! delay_ms = 250            # politeness delay between requests to one source
//! max_response_bytes = 268435456
//! user_agent = "civicgraph/0.1 (+https://github.com/civicgraph/civicgraph)"
//! ckan_rows = 100           # package_search page size
//! max_pages = 10000         # a paged catalogue longer than this is an error
//!
//! [[source]]
//! id = "leeds"              # names the graph {base}graph/source/leeds
//! kind = "ckan"             # dcat | ckan | datajson | case-studies | csw
//! url = "https://datamillnorth.org"   # or path = "exports/leeds.ttl"
//!                           # ckan with a path: a saved package_search or package_show
//!                           # response, or a ckanapi dump (.jsonl, a package per line);
//!                           # it needs base = the portal's URL, under which its
//!                           # packages are named as the portal names them
//! title = "Data Mill North"
//! region = "Leeds"
//! schedule = "daily"        # hourly | daily | weekly | "6h" | "30m"; none = by hand only
//! strict = false            # drop records that break DCAT-AP instead of flagging them
//! format = "ttl"            # dcat only: the syntax, when the type and name do not tell
//! ```

use crate::error::{IngestError, Result};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;

/// The source kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// A DCAT document or paged catalogue in any RDF syntax.
    Dcat,
    /// A CKAN Action API.
    Ckan,
    /// A DCAT-US `data.json`.
    Datajson,
    /// Case studies in JSON or CSV.
    CaseStudies,
    /// An OGC Catalogue Service (GeoNetwork, pycsw), asked for DCAT.
    Csw,
}

impl SourceKind {
    /// The name used in the configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dcat => "dcat",
            Self::Ckan => "ckan",
            Self::Datajson => "datajson",
            Self::CaseStudies => "case-studies",
            Self::Csw => "csw",
        }
    }
}

/// One `[[source]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// The source's id: letters, digits, `.`, `_` and `-`, at most 64.
    pub id: String,
    /// What kind of source it is.
    pub kind: SourceKind,
    /// Where it is on the web.
    #[serde(default)]
    pub url: Option<String>,
    /// Where it is on disk (relative paths are relative to the working directory).
    #[serde(default)]
    pub path: Option<PathBuf>,
    /// A human title for the catalogue.
    #[serde(default)]
    pub title: Option<String>,
    /// The region the catalogue covers, as a label.
    #[serde(default)]
    pub region: Option<String>,
    /// How often the server harvests it.
    #[serde(default)]
    pub schedule: Option<String>,
    /// Drop records that break DCAT-AP.
    #[serde(default)]
    pub strict: bool,
    /// The RDF syntax (dcat), overriding the content type and the extension.
    #[serde(default)]
    pub format: Option<String>,
    /// For a `path` source: the IRI relative IRIs in the file resolve against, usually where
    /// the file was published. Without it, the file's own `file://` URL. (A `url` source's
    /// base is each page's URL.)
    #[serde(default)]
    pub base: Option<String>,
    /// Hosts besides the `url`'s that paging links and redirects may lead to (a CDN, an
    /// API host). Nothing else is ever fetched for this source.
    #[serde(default)]
    pub allow_hosts: Vec<String>,
    /// The validation profile its records are checked against: `dcat-ap-3` (the default),
    /// `dcat-ap-hvd`, `dcat-ap-de`, `dcat-ap-de-conventions`, `dcat-ap-no`, or the path of
    /// a Turtle file of SHACL shapes.
    #[serde(default)]
    pub profile: Option<String>,
}

impl SourceConfig {
    /// Checks the entry on its own: an id, and exactly one of `url` and `path`.
    pub fn check(&self) -> Result<()> {
        civicgraph_graph::Layout::default()
            .source_graph(&self.id)
            .map_err(|e| IngestError::Config(format!("source {:?}: {e}", self.id)))?;
        if let Some(profile) = &self.profile {
            crate::shacl::Shapes::profile(profile).map_err(|e| match e {
                IngestError::Config(message) => IngestError::Config(format!("source {}: {message}", self.id)),
                other => IngestError::Config(format!("source {}: profile {profile:?}: {other}", self.id)),
            })?;
        }
        match (&self.url, &self.path) {
            (Some(_), Some(_)) => Err(IngestError::Config(format!(
                "source {}: give url or path, not both",
                self.id
            ))),
            (None, None) => Err(IngestError::Config(format!(
                "source {}: give url or path",
                self.id
            ))),
            (Some(url), None) if !(url.starts_with("http://") || url.starts_with("https://")) => {
                Err(IngestError::Config(format!(
                    "source {}: url {url:?} is not http(s); use path for files",
                    self.id
                )))
            }
            (None, Some(_)) if self.kind == SourceKind::Ckan && self.base.is_none() => {
                Err(IngestError::Config(format!(
                    "source {}: a ckan export file needs base, the URL of the portal it came from, \
                     under which its packages are named as the portal names them",
                    self.id
                )))
            }
            (Some(_), None) if self.base.is_some() => Err(IngestError::Config(format!(
                "source {}: base is for path sources; a url source resolves against each page's URL",
                self.id
            ))),
            _ => {
                if let Some(base) = &self.base
                    && let Err(e) = oxiri::Iri::parse(base.as_str())
                {
                    return Err(IngestError::Config(format!(
                        "source {}: base {base:?} is not an absolute IRI: {e}",
                        self.id
                    )));
                }
                if let Some(schedule) = &self.schedule {
                    parse_schedule(schedule)
                        .map_err(|e| IngestError::Config(format!("source {}: {e}", self.id)))?;
                }
                Ok(())
            }
        }
    }

    /// Where the source is, for messages and the harvest's provenance: never with the
    /// user name or password a URL may carry.
    pub fn location(&self) -> String {
        self.url
            .as_deref()
            .map(crate::outbound::redact)
            .or_else(|| self.path.as_ref().map(|p| p.display().to_string()))
            .unwrap_or_default()
    }

    /// The schedule as an interval, if it has one.
    pub fn interval(&self) -> Option<Duration> {
        self.schedule.as_deref().and_then(|s| parse_schedule(s).ok())
    }
}

/// `hourly`, `daily`, `weekly`, or a number with `m`, `h` or `d`.
pub fn parse_schedule(text: &str) -> std::result::Result<Duration, String> {
    let text = text.trim().to_ascii_lowercase();
    let minutes = match text.as_str() {
        "hourly" => 60,
        "daily" => 24 * 60,
        "weekly" => 7 * 24 * 60,
        _ => {
            let (number, unit) = text.split_at(text.len().saturating_sub(1));
            let n: u64 = number.parse().map_err(|_| {
                format!("schedule {text:?} is not hourly, daily, weekly or a number with m, h or d")
            })?;
            match unit {
                "m" => n,
                "h" => n * 60,
                "d" => n * 24 * 60,
                _ => return Err(format!("schedule {text:?}: the unit must be m, h or d")),
            }
        }
    };
    if minutes < 5 {
        return Err(format!("schedule {text:?} is more often than every 5 minutes"));
    }
    Ok(Duration::from_secs(minutes * 60))
}

/// The `[harvest]` settings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct HarvestSettings {
    /// Sources read, mapped and validated at once; one more may be written meanwhile.
    pub parallel: usize,
    /// Timeout of one HTTP request, in seconds.
    pub timeout_secs: u64,
    /// Retries after a failed request (connection errors, 429 and 5xx), with exponential
    /// backoff from 1 s.
    pub retries: u32,
    /// Pause between two requests to the same source, in milliseconds.
    pub delay_ms: u64,
    /// The largest response or file read, in bytes (after decompression).
    pub max_response_bytes: u64,
    /// The User-Agent sent.
    pub user_agent: String,
    /// `package_search` page size.
    pub ckan_rows: u64,
    /// The most pages read from one source.
    pub max_pages: usize,
    /// Hosts (names or addresses) that may be loopback, private or link-local addresses. A
    /// source whose URL names an address or `localhost` may always reach it; any other
    /// name that resolves inside is refused unless listed here.
    pub private_hosts: Vec<String>,
}

impl Default for HarvestSettings {
    fn default() -> Self {
        Self {
            parallel: 2,
            timeout_secs: 60,
            retries: 3,
            delay_ms: 250,
            max_response_bytes: 256 * 1024 * 1024,
            user_agent: format!(
                "civicgraph/{} (+https://github.com/civicgraph/civicgraph)",
                env!("CARGO_PKG_VERSION")
            ),
            ckan_rows: 100,
            max_pages: 10_000,
            private_hosts: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_read_as_intervals() {
        assert_eq!(parse_schedule("daily").unwrap(), Duration::from_secs(86_400));
        assert_eq!(parse_schedule("6h").unwrap(), Duration::from_secs(21_600));
        assert_eq!(parse_schedule("30m").unwrap(), Duration::from_secs(1_800));
        assert!(parse_schedule("1m").is_err());
        assert!(parse_schedule("often").is_err());
        assert!(parse_schedule("").is_err());
    }

    #[test]
    fn entries_need_an_id_and_one_location() {
        let entry: SourceConfig = toml::from_str("id = \"a\"\nkind = \"ckan\"").unwrap();
        assert!(
            entry
                .check()
                .unwrap_err()
                .to_string()
                .contains("give url or path")
        );
        // A CKAN export saved to a file is a source too.
        let entry: SourceConfig = toml::from_str("id = \"a\"\nkind = \"ckan\"\npath = \"x.jsonl\"").unwrap();
        assert!(entry.check().unwrap_err().to_string().contains("needs base"));
        let entry: SourceConfig = toml::from_str(
            "id = \"a\"\nkind = \"ckan\"\npath = \"x.jsonl\"\nbase = \"https://data.example.org\"",
        )
        .unwrap();
        entry.check().unwrap();
        let entry: SourceConfig = toml::from_str("id = \"../a\"\nkind = \"dcat\"\npath = \"x\"").unwrap();
        assert!(entry.check().is_err());
        let entry: SourceConfig =
            toml::from_str("id = \"a\"\nkind = \"dcat\"\nurl = \"file:///etc/passwd\"").unwrap();
        assert!(entry.check().is_err());
        assert!(toml::from_str::<SourceConfig>("id = \"a\"\nkind = \"sparql\"\nurl = \"http://x\"").is_err());
    }

    #[test]
    fn a_base_is_an_absolute_iri_for_a_path_source() {
        let check = |text: &str| toml::from_str::<SourceConfig>(text).unwrap().check();
        check("id = \"a\"\nkind = \"dcat\"\npath = \"x.rdf\"\nbase = \"https://dati.example.it/\"").unwrap();
        let relative = check("id = \"a\"\nkind = \"dcat\"\npath = \"x.rdf\"\nbase = \"dati\"").unwrap_err();
        assert!(
            relative
                .to_string()
                .contains("base \"dati\" is not an absolute IRI"),
            "{relative}"
        );
        let with_url =
            check("id = \"a\"\nkind = \"dcat\"\nurl = \"https://x\"\nbase = \"https://y/\"").unwrap_err();
        assert!(
            with_url.to_string().contains("base is for path sources"),
            "{with_url}"
        );
    }
}
