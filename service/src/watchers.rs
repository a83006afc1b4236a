//! Watchers of proving jobs (`WatchProofJob` streams), bounded: at most so
//! many open streams per API key, and one poll of the store per watched job
//! however many streams watch it. A stream outlives the request that opened
//! it, so the in-flight limits do not cover it; this does.

use crate::jobs::{is_terminal, JobQueue};
use crate::pb::ProofJob;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tonic::Status;

/// The latest read of a polled job: nothing yet, the job, or why reading
/// it failed (its gRPC code and message).
pub type Polled = Option<Result<ProofJob, (tonic::Code, String)>>;

/// The open streams of each key and the shared polls of watched jobs.
pub struct Watchers {
    queue: Arc<JobQueue>,
    per_key: usize,
    keys: Mutex<HashMap<String, Arc<Semaphore>>>,
    polls: Arc<Mutex<HashMap<String, watch::Receiver<Polled>>>>,
}

impl Watchers {
    /// Watchers of `queue`'s jobs, at most `per_key` streams per key.
    pub fn new(queue: Arc<JobQueue>, per_key: usize) -> Self {
        Watchers {
            queue,
            per_key: per_key.max(1),
            keys: Mutex::new(HashMap::new()),
            polls: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// A slot for one more stream of `owner` (held until the stream ends),
    /// or `ResourceExhausted`.
    pub fn admit(&self, owner: &str) -> Result<OwnedSemaphorePermit, Status> {
        let slots = self
            .keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(owner.to_owned())
            .or_insert_with(|| Arc::new(Semaphore::new(self.per_key)))
            .clone();
        slots.try_acquire_owned().map_err(|_| {
            Status::resource_exhausted(format!(
                "{owner} has {} job watchers open, its limit: close one first",
                self.per_key
            ))
        })
    }

    /// The shared poll of job `id` (of `owner`): every [`JobQueue::watch_poll`]
    /// one read of the store, published to all its receivers; it stops when
    /// the job is finished or nobody watches. A receiver whose poll stopped
    /// sees its sender gone and asks again.
    pub fn poll(&self, id: &str, owner: &str) -> watch::Receiver<Polled> {
        let key = format!("{owner}/{id}");
        let mut polls = self.polls.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(live) = polls.get(&key).filter(|rx| rx.has_changed().is_ok()) {
            return live.clone();
        }
        let (sender, receiver) = watch::channel(None);
        polls.insert(key.clone(), receiver.clone());
        let (queue, polls, id, owner) = (
            self.queue.clone(),
            self.polls.clone(),
            id.to_owned(),
            owner.to_owned(),
        );
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(queue.watch_poll());
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                // The map's own copy is one receiver: nobody else watches.
                if sender.receiver_count() <= 1 {
                    break;
                }
                let read = queue.get(&id, &owner).await;
                let done = !matches!(&read, Ok(job) if !is_terminal(job));
                sender.send_replace(Some(read.map_err(|e| {
                    let status = crate::rpc::status_of_job(e);
                    (status.code(), status.message().to_owned())
                })));
                if done {
                    break;
                }
            }
            polls.lock().unwrap_or_else(|e| e.into_inner()).remove(&key);
        });
        receiver
    }
}
