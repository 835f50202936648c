//! Response bodies streamed from a blocking job: the job writes into a [`ChannelWriter`],
//! the body reads the channel. Used by SPARQL answers and the whole-store dump, whose size
//! has no bound worth holding in memory.

use crate::work::{Job, Running};
use axum::body::{Body, Bytes};
use std::io::Write;
use std::sync::Arc;
use tokio::sync::mpsc;

/// A chunk of a streamed body, or the error that ends it early.
pub type Chunk = Result<Bytes, std::io::Error>;

/// Chunks in flight between the job and the client: a slow client holds the job back.
const IN_FLIGHT: usize = 8;

/// A channel for a streamed body.
pub fn channel() -> (mpsc::Sender<Chunk>, mpsc::Receiver<Chunk>) {
    mpsc::channel(IN_FLIGHT)
}

/// Writes into a streamed response body in chunks of 64 KiB. When the client goes away the
/// receiver is gone, a write fails, and serialization (and so evaluation) stops.
pub struct ChannelWriter {
    sender: mpsc::Sender<Chunk>,
    buffer: Vec<u8>,
    /// A copy of everything sent, for the result cache, while it stays under `keep`.
    copy: Option<Vec<u8>>,
    keep: usize,
    /// The job whose stop (timeout, shutdown) ends the body early.
    job: Option<Arc<Running>>,
    /// Why the body ended early, once it has: every later write fails at once with it and
    /// buffers nothing. (The error must never be of kind `Interrupted`, which `write_all`,
    /// and so every serializer, retries: a dump stopped at its time limit retried its write
    /// for ever, buffering each attempt, until the process ran out of memory.)
    ended: Option<(std::io::ErrorKind, String)>,
}

impl ChannelWriter {
    const CHUNK: usize = 64 * 1024;

    /// A writer into `sender`.
    pub fn new(sender: mpsc::Sender<Chunk>) -> Self {
        Self {
            sender,
            buffer: Vec::with_capacity(Self::CHUNK),
            copy: None,
            keep: 0,
            job: None,
            ended: None,
        }
    }

    /// Fails the next write once `job` is stopped, for a writer (a serializer) that does
    /// not check by itself.
    pub fn stopping_with(mut self, job: Arc<Running>) -> Self {
        self.job = Some(job);
        self
    }

    /// Also keeps a copy of what is sent, as long as it stays within `keep` bytes.
    pub fn keeping_copy(mut self, keep: usize) -> Self {
        self.copy = Some(Vec::new());
        self.keep = keep;
        self
    }

    /// The copy of everything sent, if it stayed within its limit.
    pub fn take_copy(&mut self) -> Option<Vec<u8>> {
        self.copy.take()
    }

    /// Ends the body early: from now on every write fails with `kind` and `message`.
    fn end(&mut self, kind: std::io::ErrorKind, message: String) -> std::io::Error {
        self.buffer = Vec::new();
        self.copy = None;
        self.ended = Some((kind, message.clone()));
        std::io::Error::new(kind, message)
    }

    fn send(&mut self) -> std::io::Result<()> {
        if let Some((kind, message)) = &self.ended {
            return Err(std::io::Error::new(*kind, message.clone()));
        }
        if let Some(job) = &self.job
            && job.is_stopped()
        {
            let message = job.stopped_error().to_string();
            return Err(self.end(std::io::ErrorKind::TimedOut, message));
        }
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(
            &mut self.buffer,
            Vec::with_capacity(Self::CHUNK),
        ));
        let sent = match &self.job {
            // A client that stops reading fills the channel: wait for room, or for the job's
            // stop (its time limit), whichever comes first.
            Some(job) => match job.block_on_unless_stopped(self.sender.send(Ok(chunk))) {
                Some(sent) => sent.is_ok(),
                None => {
                    let message = job.stopped_error().to_string();
                    return Err(self.end(std::io::ErrorKind::TimedOut, message));
                }
            },
            None => self.sender.blocking_send(Ok(chunk)).is_ok(),
        };
        if !sent {
            return Err(self.end(std::io::ErrorKind::BrokenPipe, "the client went away".to_owned()));
        }
        Ok(())
    }

    /// What ends this body with an error once the writer itself is gone (a serializer
    /// takes it): see [`Failing::fail`].
    pub fn failing(&self) -> Failing {
        Failing {
            sender: self.sender.clone(),
            job: self.job.clone(),
        }
    }
}

/// Ends a streamed body with an error (see [`ChannelWriter::failing`]).
pub struct Failing {
    sender: mpsc::Sender<Chunk>,
    job: Option<Arc<Running>>,
}

impl Failing {
    /// Ends the body with `error` after what was sent, so the client sees the answer cut
    /// short (the connection is closed without the chunked encoding's last chunk) rather
    /// than an answer that merely looks complete. For a job, the error waits for the
    /// client on the runtime, not on the job's thread, which ends at once: a client that
    /// stopped reading must not hold the thread, and with it the job's slot.
    pub fn fail(self, error: std::io::Error) {
        match &self.job {
            Some(job) => {
                let sender = self.sender;
                job.spawn_detached(async move {
                    let _ = sender.send(Err(error)).await;
                });
            }
            None => {
                let _ = self.sender.blocking_send(Err(error));
            }
        }
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.ended.is_some() {
            return self.send().map(|()| 0);
        }
        if let Some(copy) = &mut self.copy {
            if copy.len() + bytes.len() > self.keep {
                self.copy = None;
            } else {
                copy.extend_from_slice(bytes);
            }
        }
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= Self::CHUNK {
            self.send()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

/// The body of a job's answer: as [`body`], but the job's guard is also let go when the job
/// is stopped (its time limit), even while the body lives on: a client that stops reading
/// keeps its connection, and the chunks already sent, but not the job's slot.
pub fn job_body(receiver: mpsc::Receiver<Chunk>, job: Job) -> Body {
    let running = job.running();
    // The body's end drops `ended`, which ends the watcher too: a job that finished whole
    // is never stopped.
    let (ended, body_ended) = tokio::sync::oneshot::channel::<()>();
    let held = Arc::new(std::sync::Mutex::new((Some(job), ended)));
    let watched = Arc::downgrade(&held);
    tokio::spawn(async move {
        tokio::select! {
            () = running.until_stopped() => {
                if let Some(held) = watched.upgrade() {
                    let job = held.lock().unwrap_or_else(|e| e.into_inner()).0.take();
                    drop(job);
                }
            }
            _ = body_ended => {}
        }
    });
    body(receiver, held)
}

/// The body of a HEAD answer for what a GET streams: empty, and saying no length, where
/// an empty body says `Content-Length: 0`, which a client would take for the GET's.
pub fn head_body() -> Body {
    Body::from_stream(futures_util::stream::empty::<Chunk>())
}

/// The body that reads `receiver`, holding `guard` until it ends: a client that hangs up
/// mid-answer drops the body and with it the guard (which may cancel the job). Fused: a
/// body wrapper (compression) may poll once more after the end, which `unfold` alone
/// panics on.
pub fn body<G: Send + 'static>(receiver: mpsc::Receiver<Chunk>, guard: G) -> Body {
    Body::from_stream(futures_util::StreamExt::fuse(futures_util::stream::unfold(
        (receiver, guard),
        |(mut receiver, guard)| async move { receiver.recv().await.map(|item| (item, (receiver, guard))) },
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::work::Work;
    use std::time::Duration;

    /// A body whose job was stopped (its time limit) fails every later write at once, and
    /// holds nothing: `write_all`, which serializers call, once retried it for ever.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_stopped_job_fails_every_later_write_at_once() {
        let work = Work::new(2, 2, Duration::from_secs(60), Duration::from_secs(60));
        let job = work.start().await.unwrap();
        let running = job.running();
        let (sender, mut receiver) = channel();
        let drain = tokio::spawn(async move { while receiver.recv().await.is_some() {} });
        // A thread of its own, so that a write retried for ever fails the test, not hangs it.
        let (done, result) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut writer = ChannelWriter::new(sender).stopping_with(running.clone());
            writer.write_all(&[b'x'; 200_000]).unwrap();
            running.stop(crate::error::Stop::Timeout);
            let first = writer.write_all(&[b'y'; 200_000]).unwrap_err();
            let again = writer.write_all(b"z").unwrap_err();
            let held = writer.buffer.capacity();
            let _ = done.send((first.kind(), first.to_string(), again.kind(), held));
        });
        let (kind, message, again, held) = result
            .recv_timeout(Duration::from_secs(10))
            .expect("the writes after the stop return, they are not retried");
        assert_eq!(
            (kind, again),
            (std::io::ErrorKind::TimedOut, std::io::ErrorKind::TimedOut)
        );
        assert!(message.contains("cancelled"), "{message}");
        assert_eq!(held, 0, "nothing is buffered once the body has ended");
        drain.abort();
    }
}
