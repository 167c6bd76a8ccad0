//! The sending side of the writer's channel, and [`spawn`], which starts the task.

use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use super::job::{Job, SpoolConfig, WriterConfig};
use super::task::Writer;
use crate::server::events::EventFn;

/// How long a connection still waits for a saturated writer once shutdown began.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// The sending side of the writer's channel.
#[derive(Clone, Debug)]
pub struct WriterHandle {
    tx: mpsc::Sender<Job>,
}

impl WriterHandle {
    /// Queues a job; waits while the writer is saturated. `false` once the writer stopped.
    pub async fn submit(&self, job: Job) -> bool {
        self.tx.send(job).await.is_ok()
    }

    /// Queues a job, waiting while the writer is saturated; after `shutdown` turns true
    /// it waits at most [`SHUTDOWN_GRACE`] more. Gives the job back when it could not
    /// be queued (the writer stopped, or it stayed saturated through the grace time).
    pub async fn submit_unless_stuck(
        &self,
        job: Job,
        shutdown: &mut tokio::sync::watch::Receiver<bool>,
    ) -> Result<(), Job> {
        let give_up = async {
            let _ = shutdown.wait_for(|stop| *stop).await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        };
        tokio::select! {
            permit = self.tx.reserve() => match permit {
                Ok(permit) => {
                    permit.send(job);
                    Ok(())
                }
                Err(_) => Err(job),
            },
            () = give_up => self.tx.try_send(job).map_err(|e| e.into_inner()),
        }
    }

    /// Waits until every job submitted before this call is delivered or spooled.
    pub async fn flush(&self) -> bool {
        let (tx, rx) = oneshot::channel();
        if self.tx.send(Job::Flush(tx)).await.is_err() {
            return false;
        }
        rx.await.is_ok()
    }
}

/// Starts the writer task on the current runtime; it ends when every handle is dropped
/// and everything received is delivered or spooled.
pub fn spawn(
    config: WriterConfig,
    spool: SpoolConfig,
    capacity: usize,
    events: EventFn,
) -> (WriterHandle, tokio::task::JoinHandle<()>) {
    let (tx, rx) = mpsc::channel(capacity.max(1));
    let writer = Writer::new(config, spool, events);
    let task = tokio::spawn(writer.run(rx));
    (WriterHandle { tx }, task)
}
