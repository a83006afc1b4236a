//! A node's place in a fleet: the job and key stores it opens (the embedded
//! RocksDB, or the shared PostgreSQL with its key snapshot), its record in
//! `veil_nodes`, and the health it reports while the store is away.

use crate::config::{Role, ServeConfig, ServeError};
use crate::store::postgres::{KeyCache, NodeRecord, PgStore};
use crate::store::{JobStore, KeyLookup, Store};
use std::sync::Arc;
use std::time::Duration;

/// The job and key stores a node uses.
pub(crate) struct Stores {
    pub(crate) jobs: Arc<dyn JobStore>,
    pub(crate) keys: Arc<dyn KeyLookup>,
    /// The shared store, when there is one (node registration).
    pub(crate) shared: Option<Arc<PgStore>>,
    /// Its key snapshot, refreshed while the node runs.
    pub(crate) key_cache: Option<Arc<KeyCache>>,
}

/// Opens the embedded store, or connects to the shared one.
pub(crate) async fn open_stores(config: &ServeConfig) -> Result<Stores, ServeError> {
    match &config.queue_url {
        None => {
            if config.role != Role::Both {
                return Err(ServeError::Config(format!(
                    "--role {} needs a shared job store (--queue postgres://…): the embedded \
                     store belongs to one process, which must both serve and prove",
                    config.role.name()
                )));
            }
            let store = Arc::new(Store::open(&config.db.join("jobs"))?);
            Ok(Stores {
                jobs: store.clone(),
                keys: store,
                shared: None,
                key_cache: None,
            })
        }
        Some(url) => {
            // Workers and request handlers each hold a connection briefly.
            let connections = config.queue.workers * 2 + 8;
            let pg = Arc::new(PgStore::connect_with(url, connections, &config.queue_tls).await?);
            let cache = KeyCache::load(pg.clone()).await?;
            Ok(Stores {
                jobs: pg.clone(),
                keys: cache.clone(),
                shared: Some(pg),
                key_cache: Some(cache),
            })
        }
    }
}

/// A default node name: the host's name and 8 random hex digits, unique
/// per process.
pub(crate) fn node_name() -> String {
    use rand::RngCore;
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "veil".into());
    format!("{host}-{:08x}", rand::rngs::OsRng.next_u32())
}

/// Registers the node in the shared store's `veil_nodes` and keeps its
/// record (and the API-key snapshot) fresh while the returned guard lives;
/// nothing for the embedded store.
pub(crate) async fn announce(
    stores: &Stores,
    config: &ServeConfig,
    node: &str,
    log_id: &str,
) -> Result<AbortOnDrop, ServeError> {
    Ok(match &stores.shared {
        Some(pg) => {
            let record = NodeRecord {
                node: node.to_owned(),
                role: config.role.name().into(),
                log_id: if config.role == Role::Worker {
                    String::new()
                } else {
                    log_id.to_owned()
                },
                started_ms: crate::store::now_ms(),
            };
            pg.register_node(&record).await?;
            let (pg, keys) = (pg.clone(), stores.key_cache.clone());
            AbortOnDrop(Some(tokio::spawn(async move {
                let _refresh = keys.map(|k| AbortOnDrop(Some(k.spawn_refresh())));
                loop {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    if let Err(e) = pg.register_node(&record).await {
                        tracing::warn!("refreshing this node in veil_nodes: {e}");
                    }
                }
            })))
        }
        None => AbortOnDrop(None),
    })
}

/// Reports every served service `NOT_SERVING` on gRPC health while the job
/// store does not answer, and `SERVING` again once it does: load balancers
/// and orchestrators stop routing to a node that cannot take jobs.
pub(crate) async fn watch_store(
    store: Arc<dyn JobStore>,
    health: tonic_health::server::HealthReporter,
    served: &'static [&'static str],
) {
    let mut serving = true;
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let up = store.ping().await;
        if up.is_ok() != serving {
            serving = up.is_ok();
            let status = if serving {
                tracing::info!("the job store answers again: serving");
                tonic_health::ServingStatus::Serving
            } else {
                tracing::warn!(
                    "the job store does not answer: not serving ({:?})",
                    up.err()
                );
                tonic_health::ServingStatus::NotServing
            };
            for name in served.iter().copied().chain([""]) {
                health.set_service_status(name, status).await;
            }
        }
    }
}

/// Aborts a background task when dropped.
pub(crate) struct AbortOnDrop(pub(crate) Option<tokio::task::JoinHandle<()>>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(task) = &self.0 {
            task.abort();
        }
    }
}
