//! The address a running server announces in its data directory (`serving`), so that a
//! command that cannot open the store while the server holds it (`civicgraph dump`) can ask
//! the server instead.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

const FILE_NAME: &str = "serving";

/// The announcement: removed when dropped, at the server's end. A server killed outright
/// leaves it behind; a command that finds it then fails to connect and says so.
#[derive(Debug)]
pub struct Announced {
    file: PathBuf,
}

impl Drop for Announced {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.file);
    }
}

/// Writes the server's base URL into `data_dir`. A server listening on every interface is
/// reached on the loopback one.
pub fn announce(data_dir: &Path, listening: SocketAddr) -> std::io::Result<Announced> {
    let mut address = listening;
    if address.ip().is_unspecified() {
        address.set_ip(match address {
            SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    let file = data_dir.join(FILE_NAME);
    std::fs::write(&file, format!("http://{address}\n"))?;
    Ok(Announced { file })
}

/// The base URL of the server announced in `data_dir`, if one is.
pub fn announced(data_dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(data_dir.join(FILE_NAME)).ok()?;
    let url = text.trim();
    (url.starts_with("http://") && !url.contains(char::is_whitespace)).then(|| url.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_announcement_is_read_back_and_removed_at_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let guard = announce(dir.path(), "0.0.0.0:7878".parse().unwrap()).unwrap();
        assert_eq!(announced(dir.path()).as_deref(), Some("http://127.0.0.1:7878"));
        drop(guard);
        assert_eq!(announced(dir.path()), None);
    }
}
