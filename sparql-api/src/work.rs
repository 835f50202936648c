//! Where heavy requests run: every request that evaluates SPARQL, searches, or reads more
//! than a handful of records (`/sparql`, `/api/*`, `/catalog`, `/.well-known/void`, `GET
//! /store`) runs here, in a query slot, under the query timeout, and is cancelled when its
//! client hangs up, when the server shuts down, or when evaluation passes the memory budget.
//!
//! **Lanes.** Any job may start in one of the `query_workers` slots; once it has run for
//! `long_query_after_ms` it must also hold one of the few `long_queries` slots, or it is
//! stopped with a 503. So long queries can never hold every slot: the rest stay free for the
//! ordinary, short requests that most clients send, which under the earlier single pool
//! waited out their timeout behind a tenth of pathological clients.
//!
//! **The fast lane.** A request that names itself (a query's text and dataset) and that
//! finished within `FAST` the last time it ran waits for one of its own slots, not behind
//! the heavy requests queued for the others: the same dashboard query sent again and again
//! is answered in milliseconds while clients keep every other slot busy. A request new to
//! the server, or slow last time, takes the ordinary lane; its duration is remembered (for
//! the last 4,096 requests) for next time.
//!
//! **Cancellation** is cooperative: Oxigraph checks the token whenever it reads the store,
//! search checks it between segments. A job's [`Job`] guard cancels on drop, so a handler
//! future that axum drops (the client went away) stops its evaluation.

use crate::error::{ApiError, Stop};
use oxigraph::sparql::CancellationToken;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// A request that last ran within this is fast.
const FAST: Duration = Duration::from_millis(50);
/// How many requests' last durations are remembered.
const REMEMBERED: usize = 4096;

/// The key of a request for the fast lane: a hash of what makes it the same request.
pub fn request_key(parts: impl std::hash::Hash) -> u64 {
    use std::hash::Hasher;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    parts.hash(&mut hasher);
    hasher.finish()
}

/// The slots and the jobs running in them.
#[derive(Debug)]
pub struct Work {
    slots: Arc<Semaphore>,
    fast_slots: Arc<Semaphore>,
    /// Per request key, whether it finished within [`FAST`] last time; the oldest keys are
    /// forgotten first.
    history: Mutex<(HashMap<u64, bool>, std::collections::VecDeque<u64>)>,
    long_slots: Arc<Semaphore>,
    long_after: Duration,
    timeout: Duration,
    running: Mutex<HashMap<u64, Weak<Running>>>,
    next_id: AtomicU64,
}

/// One running job: its token, why it was stopped, and the slots it holds.
pub struct Running {
    id: u64,
    token: CancellationToken,
    stop: AtomicU8,
    /// Wakes the request waiting for the job when it is stopped, so the answer (503) goes
    /// out at once even while the evaluation has yet to notice its cancellation.
    stopped: tokio::sync::Notify,
    _slot: OwnedSemaphorePermit,
    long_slot: Mutex<Option<OwnedSemaphorePermit>>,
    work: Weak<Work>,
    /// The request's key and when it started, to remember how long it took.
    key: Option<u64>,
    started: std::time::Instant,
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running")
            .field("id", &self.id)
            .field("stopped_for", &self.stopped_for())
            .finish()
    }
}

impl Running {
    /// The token to give the evaluation.
    pub fn token(&self) -> &CancellationToken {
        &self.token
    }

    /// Whether the job has been stopped, for work that checks by itself (loops over records).
    pub fn is_stopped(&self) -> bool {
        self.token.is_cancelled()
    }

    /// Stops the job for `reason`; the first reason given is the one reported.
    pub fn stop(&self, reason: Stop) {
        if self
            .stop
            .compare_exchange(0, reason as u8, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
        {
            tracing::debug!(job = self.id, %reason, "job stopped");
        }
        self.token.cancel();
        self.stopped.notify_one();
    }

    /// Resolves when the job is stopped.
    pub async fn until_stopped(&self) {
        if !self.is_stopped() {
            self.stopped.notified().await;
        }
    }

    /// Waits for `work` (the job's blocking task) unless the job is stopped first; then
    /// answers why at once. The blocking task keeps its slot until it notices.
    pub async fn finish_or_stop<T>(
        &self,
        work: tokio::task::JoinHandle<Result<T, ApiError>>,
    ) -> Result<T, ApiError> {
        tokio::select! {
            joined = work => joined.map_err(|e| ApiError::Internal(format!("a request's task failed: {e}")))?,
            () = self.until_stopped() => Err(self.stopped_error()),
        }
    }

    /// Why the job was stopped, if it was.
    pub fn stopped_for(&self) -> Option<Stop> {
        Stop::from_u8(self.stop.load(Ordering::Relaxed))
    }

    /// The error that answers a job stopped for its reason (call once it is stopped).
    pub fn stopped_error(&self) -> ApiError {
        self.explain(ApiError::Stopped(Stop::Timeout))
    }

    /// The error to answer for `error`, which came out of a stopped job: the reason it was
    /// stopped, not the "cancelled" the evaluator reports.
    pub fn explain(&self, error: ApiError) -> ApiError {
        match self.stopped_for() {
            Some(Stop::Timeout) => ApiError::Timeout(self.work.upgrade().map_or(0, |w| w.timeout.as_secs())),
            Some(reason) => ApiError::Stopped(reason),
            None => error,
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(work) = self.work.upgrade() {
            work.running
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&self.id);
            if let Some(key) = self.key {
                let fast = self.stopped_for().is_none() && self.started.elapsed() <= FAST;
                work.remember(key, fast);
            }
        }
    }
}

/// Held by the request's future: dropping it (the client hung up, the handler returned
/// early) cancels the job unless it finished.
#[derive(Debug)]
pub struct Job {
    running: Arc<Running>,
    done: bool,
}

impl Job {
    /// The running job, to move into the blocking closure.
    pub fn running(&self) -> Arc<Running> {
        self.running.clone()
    }

    /// The job ended normally: dropping the guard no longer cancels it.
    pub fn finish(mut self) {
        self.done = true;
    }
}

impl Drop for Job {
    fn drop(&mut self) {
        if !self.done {
            self.running.stop(Stop::ClientGone);
        }
    }
}

impl Work {
    /// `slots` jobs at once, of which `long_slots` may run longer than `long_after`; each at
    /// most `timeout`.
    pub fn new(slots: usize, long_slots: usize, long_after: Duration, timeout: Duration) -> Arc<Self> {
        Arc::new(Self {
            slots: Arc::new(Semaphore::new(slots.max(1))),
            fast_slots: Arc::new(Semaphore::new(slots.max(1))),
            history: Mutex::new((HashMap::new(), std::collections::VecDeque::new())),
            long_slots: Arc::new(Semaphore::new(long_slots.clamp(1, slots.max(1)))),
            long_after,
            timeout,
            running: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
        })
    }

    /// The query timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Waits for a slot (at most the timeout: a job that cannot start in time gets the same
    /// 503 as one that cannot finish), then starts the clocks of the job: the lane check at
    /// `long_after` and the timeout.
    pub async fn start(self: &Arc<Self>) -> Result<Job, ApiError> {
        self.start_keyed(None).await
    }

    /// [`Work::start`] for a request identified by `key` (a hash of what makes it the same
    /// request): the fast lane when it was fast last time.
    pub async fn start_keyed(self: &Arc<Self>, key: Option<u64>) -> Result<Job, ApiError> {
        let fast = key.is_some_and(|k| self.was_fast(k));
        let lane = if fast { &self.fast_slots } else { &self.slots };
        let slot = tokio::time::timeout(self.timeout, lane.clone().acquire_owned())
            .await
            .map_err(|_| ApiError::Timeout(self.timeout.as_secs()))?
            .map_err(|_| ApiError::Stopped(Stop::ShuttingDown))?;
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let running = Arc::new(Running {
            id,
            token: CancellationToken::new(),
            stop: AtomicU8::new(0),
            stopped: tokio::sync::Notify::new(),
            _slot: slot,
            long_slot: Mutex::new(None),
            work: Arc::downgrade(self),
            key,
            started: std::time::Instant::now(),
        });
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, Arc::downgrade(&running));
        let watched = Arc::downgrade(&running);
        let long_slots = self.long_slots.clone();
        let (long_after, timeout) = (self.long_after, self.timeout);
        tokio::spawn(async move {
            tokio::time::sleep(long_after.min(timeout)).await;
            let Some(job) = watched.upgrade() else { return };
            if long_after < timeout {
                match long_slots.try_acquire_owned() {
                    Ok(permit) => *job.long_slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(permit),
                    Err(_) => {
                        job.stop(Stop::LongLaneBusy);
                        return;
                    }
                }
                drop(job);
                tokio::time::sleep(timeout - long_after).await;
            } else {
                drop(job);
            }
            if let Some(job) = watched.upgrade() {
                job.stop(Stop::Timeout);
            }
        });
        Ok(Job { running, done: false })
    }

    /// Runs `job` on a blocking thread in a slot, answering its result, or the reason it was
    /// stopped.
    pub async fn run<T: Send + 'static>(
        self: &Arc<Self>,
        job: impl FnOnce(&Running) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        self.run_keyed(None, job).await
    }

    /// [`Work::run`] for a request identified by `key` (see [`Work::start_keyed`]).
    pub async fn run_keyed<T: Send + 'static>(
        self: &Arc<Self>,
        key: Option<u64>,
        job: impl FnOnce(&Running) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let guard = self.start_keyed(key).await?;
        let running = guard.running();
        let task = tokio::task::spawn_blocking(move || {
            let outcome = job(&running);
            outcome.map_err(|e| running.explain(e))
        });
        let result = guard.running.finish_or_stop(task).await;
        let stopped = guard.running.stopped_for();
        guard.finish();
        match (result, stopped) {
            // A job that checks for itself may end early with a partial answer: never send it.
            (Ok(_), Some(Stop::Timeout)) => Err(ApiError::Timeout(self.timeout.as_secs())),
            (Ok(_), Some(reason)) => Err(ApiError::Stopped(reason)),
            (result, _) => result,
        }
    }

    /// Stops every running job for `reason` (memory budget passed, shutting down); returns
    /// how many were running.
    pub fn stop_all(&self, reason: Stop) -> usize {
        let running: Vec<Arc<Running>> = self
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .filter_map(Weak::upgrade)
            .collect();
        for job in &running {
            job.stop(reason);
        }
        running.len()
    }

    fn was_fast(&self, key: u64) -> bool {
        let history = self.history.lock().unwrap_or_else(|e| e.into_inner());
        history.0.get(&key).copied().unwrap_or(false)
    }

    fn remember(&self, key: u64, fast: bool) {
        let mut history = self.history.lock().unwrap_or_else(|e| e.into_inner());
        let (map, order) = &mut *history;
        if map.insert(key, fast).is_none() {
            order.push_back(key);
            if order.len() > REMEMBERED
                && let Some(oldest) = order.pop_front()
            {
                map.remove(&oldest);
            }
        }
    }

    /// Jobs running now.
    pub fn running_count(&self) -> usize {
        self.running.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Refuses new jobs from now on (shutdown) and stops the running ones.
    pub fn close(&self) {
        self.slots.close();
        self.fast_slots.close();
        self.stop_all(Stop::ShuttingDown);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_second_long_job_is_stopped_while_short_ones_still_start() {
        let work = Work::new(3, 1, Duration::from_secs(1), Duration::from_secs(30));
        let first = work.start().await.unwrap();
        let second = work.start().await.unwrap();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let stopped = [first.running.stopped_for(), second.running.stopped_for()];
        assert_eq!(
            stopped.iter().filter(|s| **s == Some(Stop::LongLaneBusy)).count(),
            1,
            "{stopped:?}"
        );
        let short = work.start().await.unwrap();
        assert_eq!(short.running.stopped_for(), None);
        short.finish();
        first.finish();
        second.finish();
    }

    #[tokio::test(start_paused = true)]
    async fn a_job_is_stopped_at_the_timeout_and_when_its_client_goes() {
        let work = Work::new(2, 2, Duration::from_secs(1), Duration::from_secs(5));
        let job = work.start().await.unwrap();
        let running = job.running();
        tokio::time::sleep(Duration::from_secs(6)).await;
        assert_eq!(running.stopped_for(), Some(Stop::Timeout));
        job.finish();
        let gone = work.start().await.unwrap();
        let running = gone.running();
        drop(gone);
        assert_eq!(running.stopped_for(), Some(Stop::ClientGone));
        assert!(running.token().is_cancelled());
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_fast_last_time_does_not_queue_behind_the_others() {
        let work = Work::new(1, 1, Duration::from_secs(10), Duration::from_secs(30));
        let first = work.start_keyed(Some(7)).await.unwrap();
        first.finish();
        // The only ordinary slot is taken by a slow request...
        let slow = work.start_keyed(Some(8)).await.unwrap();
        // ...and a request fast last time still starts.
        let again = tokio::time::timeout(Duration::from_secs(1), work.start_keyed(Some(7))).await;
        assert!(again.is_ok(), "the fast lane was free");
        // One never seen, or slow last time, waits for the ordinary slot.
        assert!(
            tokio::time::timeout(Duration::from_secs(1), work.start_keyed(Some(9)))
                .await
                .is_err()
        );
        slow.finish();
    }

    #[tokio::test(start_paused = true)]
    async fn stop_all_reaches_every_running_job_and_close_refuses_new_ones() {
        let work = Work::new(4, 1, Duration::from_secs(10), Duration::from_secs(30));
        let jobs = [work.start().await.unwrap(), work.start().await.unwrap()];
        assert_eq!(work.running_count(), 2);
        work.close();
        assert!(
            jobs.iter()
                .all(|j| j.running.stopped_for() == Some(Stop::ShuttingDown))
        );
        assert!(matches!(
            work.start().await,
            Err(ApiError::Stopped(Stop::ShuttingDown))
        ));
    }
}
