//! The write sequence: the number of the store's last committed write, which the search
//! index mirrors. Kept beside the store, not in it, so that it is no part of the RDF
//! dataset a client sees: no graph nobody wrote, nothing left after `DROP ALL`.
//!
//! On disk it is the file `write-sequence` in the data directory, holding the number, or
//! the number and `pending` while a write is being made. A write marks its number pending
//! before it touches the store and done after the index follows it, each by an atomic
//! rename of a synced file. A process killed in between leaves `N pending`: the store may
//! or may not hold write `N`, so the next open rebuilds the index from the store as it is
//! and marks `N` done. A kill before the pending mark leaves the old number, store and
//! index as they were.

use crate::error::{GraphError, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// What the sequence file says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Mark {
    /// The last write's number.
    pub number: u64,
    /// Whether that write may have stopped half way (store written, index not yet).
    pub pending: bool,
}

/// The write sequence of one graph: in a file for a graph on disk, in memory otherwise.
#[derive(Debug)]
pub(crate) struct Sequence {
    file: Option<PathBuf>,
    mark: Mutex<Mark>,
}

/// The file name, in the data directory.
pub const FILE_NAME: &str = "write-sequence";

impl Sequence {
    /// A sequence held in memory, starting at 0.
    pub fn in_memory() -> Self {
        Self {
            file: None,
            mark: Mutex::new(Mark {
                number: 0,
                pending: false,
            }),
        }
    }

    /// The sequence of the data directory `dir`; `None` when it has no sequence file yet
    /// (a new directory, or one written before the sequence left the store).
    pub fn open(dir: &Path) -> Result<(Self, Option<Mark>)> {
        let file = dir.join(FILE_NAME);
        let found = match std::fs::read_to_string(&file) {
            Ok(text) => Some(parse(&text).ok_or_else(|| GraphError::Io {
                source_name: file.display().to_string(),
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("expected a number, optionally followed by \"pending\", found {text:?}"),
                ),
            })?),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
            Err(source) => {
                return Err(GraphError::Io {
                    source_name: file.display().to_string(),
                    source,
                });
            }
        };
        let mark = found.unwrap_or(Mark {
            number: 0,
            pending: false,
        });
        Ok((
            Self {
                file: Some(file),
                mark: Mutex::new(mark),
            },
            found,
        ))
    }

    /// The last write's number.
    pub fn current(&self) -> u64 {
        self.mark.lock().unwrap_or_else(|e| e.into_inner()).number
    }

    /// The last write's number if it finished, else the one before: every write up to it
    /// is in the store.
    pub fn finished(&self) -> u64 {
        let mark = self.mark.lock().unwrap_or_else(|e| e.into_inner());
        if mark.pending {
            mark.number.saturating_sub(1)
        } else {
            mark.number
        }
    }

    /// Whether the last write was begun and not finished.
    pub fn pending(&self) -> bool {
        self.mark.lock().unwrap_or_else(|e| e.into_inner()).pending
    }

    /// Marks write `number` as begun: from here until [`Sequence::finish`], a crash leaves
    /// the index to be rebuilt.
    pub fn begin(&self, number: u64) -> Result<()> {
        self.set(Mark {
            number,
            pending: true,
        })
    }

    /// Marks write `number` as done: the store holds it and the index has followed (or
    /// knows it is behind, when deferred).
    pub fn finish(&self, number: u64) -> Result<()> {
        self.set(Mark {
            number,
            pending: false,
        })
    }

    fn set(&self, mark: Mark) -> Result<()> {
        let mut current = self.mark.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(file) = &self.file {
            write_atomically(file, &render(mark))?;
        }
        *current = mark;
        Ok(())
    }
}

fn parse(text: &str) -> Option<Mark> {
    let mut words = text.split_whitespace();
    let number = words.next()?.parse().ok()?;
    let pending = match words.next() {
        None => false,
        Some("pending") => true,
        Some(_) => return None,
    };
    words.next().is_none().then_some(Mark { number, pending })
}

fn render(mark: Mark) -> String {
    if mark.pending {
        format!("{} pending\n", mark.number)
    } else {
        format!("{}\n", mark.number)
    }
}

/// Replaces `file` with `text`: written to a sibling, synced, renamed over it, so a reader
/// (or the next open after a crash) sees the old text or the new, never a torn one.
fn write_atomically(file: &Path, text: &str) -> Result<()> {
    let io = |source| GraphError::Io {
        source_name: file.display().to_string(),
        source,
    };
    let temporary = file.with_extension("tmp");
    let mut handle = std::fs::File::create(&temporary).map_err(io)?;
    handle.write_all(text.as_bytes()).map_err(io)?;
    handle.sync_all().map_err(io)?;
    drop(handle);
    std::fs::rename(&temporary, file).map_err(io)?;
    if let Some(dir) = file.parent()
        && let Ok(dir) = std::fs::File::open(dir)
    {
        // Makes the rename itself durable; not every platform can sync a directory.
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_survive_reopening_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let (sequence, found) = Sequence::open(dir.path()).unwrap();
        assert_eq!(found, None);
        assert_eq!(sequence.current(), 0);
        sequence.begin(7).unwrap();
        let (_, found) = Sequence::open(dir.path()).unwrap();
        assert_eq!(
            found,
            Some(Mark {
                number: 7,
                pending: true
            })
        );
        sequence.finish(7).unwrap();
        let (reopened, found) = Sequence::open(dir.path()).unwrap();
        assert_eq!(
            found,
            Some(Mark {
                number: 7,
                pending: false
            })
        );
        assert_eq!(reopened.current(), 7);
    }

    #[test]
    fn a_damaged_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "seven").unwrap();
        let error = Sequence::open(dir.path()).unwrap_err().to_string();
        assert!(error.contains(FILE_NAME) && error.contains("seven"), "{error}");
    }

    #[test]
    fn parses_only_what_it_writes() {
        for mark in [
            Mark {
                number: 0,
                pending: false,
            },
            Mark {
                number: 12,
                pending: true,
            },
        ] {
            assert_eq!(parse(&render(mark)), Some(mark));
        }
        assert_eq!(parse("3 done"), None);
        assert_eq!(parse("3 pending extra"), None);
        assert_eq!(parse(""), None);
    }
}
