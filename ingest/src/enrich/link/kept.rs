//! The signature table a pipeline keeps between its refreshes, so that a refresh after a
//! harvest of some sources reads only their datasets and takes every other dataset's row
//! from the last one ([`crate::enrich::Scope::Sources`]).
//!
//! At a million datasets the rows are about 700 MB (most of it the MinHash signatures), too
//! much to hold in a server between refreshes: a graph on disk keeps them in a file of the
//! data directory, read back whole by the next refresh and rewritten by it. A graph in
//! memory keeps them in memory. A file left by another process is read only when the data
//! directory's `refreshed.json` says the last refresh kept it and nothing was written since
//! ([`crate::refresh_state`]): the next `civicgraph harvest` from cron then reads only its
//! changed sources' datasets too. Otherwise it is removed unread.

use super::minhash::HASHES;
use super::row::LinkRow;
use crate::error::{IngestError, Result};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::PathBuf;

/// The file name, in the data directory.
pub const FILE_NAME: &str = "link-rows";

/// The first bytes of the file: its format.
const MAGIC: &[u8; 8] = b"cgrows1\n";

/// Rows and the names of their sources, by number.
pub type Table = (Vec<LinkRow>, Vec<String>);

/// Where the table is kept.
#[derive(Debug)]
pub enum KeptRows {
    /// In a file (a graph on disk).
    File(PathBuf),
    /// In memory (a graph in memory), once kept.
    Memory(Option<Table>),
}

impl KeptRows {
    /// A table for a graph whose data directory is `dir` (in memory when `None`). A file
    /// left by an earlier process is removed: it may describe another graph.
    pub fn new(dir: Option<&std::path::Path>) -> Self {
        Self::in_dir(dir, false)
    }

    /// [`KeptRows::new`], keeping the file an earlier process left when `trusted` (the last
    /// refresh kept it, and nothing was written since).
    pub fn in_dir(dir: Option<&std::path::Path>, trusted: bool) -> Self {
        match dir {
            Some(dir) => {
                let path = dir.join(FILE_NAME);
                if !trusted {
                    let _ = std::fs::remove_file(&path);
                }
                Self::File(path)
            }
            None => Self::Memory(None),
        }
    }

    /// Keeps `rows`, replacing what was kept.
    pub fn keep(&mut self, rows: &[LinkRow], sources: &[String]) -> Result<()> {
        match self {
            Self::Memory(table) => {
                *table = Some((rows.to_vec(), sources.to_vec()));
                Ok(())
            }
            Self::File(path) => {
                let written = write(path, rows, sources);
                if written.is_err() {
                    // A half-written table must not be read.
                    let _ = std::fs::remove_file(&*path);
                }
                written.map_err(|source| IngestError::Io {
                    document: path.display().to_string(),
                    source,
                })
            }
        }
    }

    /// What was kept, if anything; the table is empty afterwards.
    pub fn take(&mut self) -> Result<Option<Table>> {
        match self {
            Self::Memory(table) => Ok(table.take()),
            Self::File(path) => {
                let file = match std::fs::File::open(&*path) {
                    Ok(file) => file,
                    Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                    Err(source) => {
                        return Err(IngestError::Io {
                            document: path.display().to_string(),
                            source,
                        });
                    }
                };
                let table = read(BufReader::new(file)).map_err(|source| IngestError::Io {
                    document: path.display().to_string(),
                    source,
                });
                let _ = std::fs::remove_file(&*path);
                table.map(Some)
            }
        }
    }
}

fn write(path: &std::path::Path, rows: &[LinkRow], sources: &[String]) -> std::io::Result<()> {
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    out.write_all(MAGIC)?;
    write_len(&mut out, sources.len())?;
    for name in sources {
        write_bytes(&mut out, name.as_bytes())?;
    }
    write_len(&mut out, rows.len())?;
    for row in rows {
        write_bytes(&mut out, row.iri.as_bytes())?;
        out.write_all(&row.source.to_le_bytes())?;
        for hashes in row.keys.iter().chain([&row.publishers, &row.titles]) {
            write_len(&mut out, hashes.len())?;
            for hash in hashes.iter() {
                out.write_all(&hash.to_le_bytes())?;
            }
        }
        out.write_all(&row.numbers.to_le_bytes())?;
        match &row.signature {
            None => out.write_all(&[0])?,
            Some(signature) => {
                out.write_all(&[1])?;
                for value in signature.iter() {
                    out.write_all(&value.to_le_bytes())?;
                }
            }
        }
    }
    out.into_inner()
        .map_err(std::io::IntoInnerError::into_error)?
        .sync_all()
}

fn read(mut input: impl Read) -> std::io::Result<Table> {
    let mut magic = [0u8; 8];
    input.read_exact(&mut magic)?;
    if &magic != MAGIC {
        return Err(invalid("not a civicgraph signature table"));
    }
    let count = read_len(&mut input)?;
    let mut sources = Vec::with_capacity(count.min(1 << 16));
    for _ in 0..count {
        sources.push(read_string(&mut input)?);
    }
    let count = read_len(&mut input)?;
    let mut rows = Vec::with_capacity(count.min(1 << 24));
    for _ in 0..count {
        let iri = read_string(&mut input)?.into_boxed_str();
        let source = u32::from_le_bytes(read_array(&mut input)?);
        if source as usize >= sources.len() {
            return Err(invalid("a row names a source the table does not"));
        }
        let mut lists: Vec<Box<[u64]>> = Vec::with_capacity(6);
        for _ in 0..6 {
            let len = read_len(&mut input)?;
            let mut hashes = Vec::with_capacity(len.min(1 << 16));
            for _ in 0..len {
                hashes.push(u64::from_le_bytes(read_array(&mut input)?));
            }
            lists.push(hashes.into_boxed_slice());
        }
        let titles = lists.pop().unwrap_or_default();
        let publishers = lists.pop().unwrap_or_default();
        let keys: [Box<[u64]>; 4] = lists
            .try_into()
            .map_err(|_| invalid("a row without its four key lists"))?;
        let numbers = u64::from_le_bytes(read_array(&mut input)?);
        let signature = match read_array::<1>(&mut input)? {
            [0] => None,
            [1] => {
                let mut signature = Box::new([0u64; HASHES]);
                for value in signature.iter_mut() {
                    *value = u64::from_le_bytes(read_array(&mut input)?);
                }
                Some(signature)
            }
            _ => return Err(invalid("a row's signature flag is neither 0 nor 1")),
        };
        rows.push(LinkRow {
            iri,
            source,
            keys,
            publishers,
            titles,
            numbers,
            signature,
        });
    }
    Ok((rows, sources))
}

fn invalid(message: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, message)
}

fn write_len(out: &mut impl Write, len: usize) -> std::io::Result<()> {
    out.write_all(&(len as u64).to_le_bytes())
}

fn write_bytes(out: &mut impl Write, bytes: &[u8]) -> std::io::Result<()> {
    write_len(out, bytes.len())?;
    out.write_all(bytes)
}

fn read_array<const N: usize>(input: &mut impl Read) -> std::io::Result<[u8; N]> {
    let mut bytes = [0u8; N];
    input.read_exact(&mut bytes)?;
    Ok(bytes)
}

fn read_len(input: &mut impl Read) -> std::io::Result<usize> {
    usize::try_from(u64::from_le_bytes(read_array(input)?)).map_err(|_| invalid("a length too large"))
}

fn read_string(input: &mut impl Read) -> std::io::Result<String> {
    let len = read_len(input)?;
    let mut bytes = Vec::with_capacity(len.min(1 << 16));
    input.take(len as u64).read_to_end(&mut bytes)?;
    if bytes.len() != len {
        return Err(invalid("the table ends inside a string"));
    }
    String::from_utf8(bytes).map_err(|_| invalid("a string that is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrich::link::LinkRecord;

    fn rows() -> Vec<LinkRow> {
        let record = |iri: &str, title: &str, description: &str| LinkRecord {
            iri: iri.into(),
            source: "a".into(),
            identifiers: vec!["ID-12345".into()],
            landing_pages: vec!["https://example.org/page".into()],
            titles: vec![title.into()],
            publisher: Some("Ministry".into()),
            description: description.into(),
            ..LinkRecord::default()
        };
        vec![
            LinkRow::of(
                &record(
                    "http://ex/1",
                    "Road traffic counts 2024",
                    "Counts of vehicles on roads",
                ),
                0,
            ),
            LinkRow::of(&record("http://ex/2", "Bins", ""), 1),
        ]
    }

    #[test]
    fn a_kept_table_reads_back_as_written_once() {
        let dir = tempfile::tempdir().unwrap();
        let sources = vec!["a".to_owned(), "b".to_owned()];
        let rows = rows();
        assert!(rows[0].signature.is_some() && rows[1].signature.is_none());
        for mut kept in [KeptRows::new(Some(dir.path())), KeptRows::new(None)] {
            assert_eq!(kept.take().unwrap(), None);
            kept.keep(&rows, &sources).unwrap();
            assert_eq!(kept.take().unwrap(), Some((rows.clone(), sources.clone())));
            assert_eq!(kept.take().unwrap(), None, "taken once");
        }
    }

    #[test]
    fn a_damaged_or_foreign_file_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let mut kept = KeptRows::new(Some(dir.path()));
        kept.keep(&rows(), &["a".to_owned(), "b".to_owned()]).unwrap();
        let path = dir.path().join(FILE_NAME);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 9]).unwrap();
        let error = kept.take().unwrap_err().to_string();
        assert!(error.contains(FILE_NAME), "{error}");
        std::fs::write(&path, b"something else entirely").unwrap();
        let error = kept.take().unwrap_err().to_string();
        assert!(error.contains("not a civicgraph signature table"), "{error}");
        // A file an earlier process left is read only when trusted.
        kept.keep(&rows(), &["a".to_owned(), "b".to_owned()]).unwrap();
        drop(kept);
        assert!(path.exists(), "left for the next process");
        assert!(KeptRows::in_dir(Some(dir.path()), true).take().unwrap().is_some());
        KeptRows::new(Some(dir.path()))
            .keep(&rows(), &["a".to_owned()])
            .unwrap();
        assert_eq!(KeptRows::new(Some(dir.path())).take().unwrap(), None);
    }
}
