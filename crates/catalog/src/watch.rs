//! Watching the folders of file locations so that an edited
//! `catalog-info.yaml` shows in the catalog within about a second.
//!
//! Events are only a wake-up signal: the receiver runs a refresh pass, which
//! skips every source whose bytes did not change, so bursts of events and
//! events for unrelated files cost little.

use std::path::PathBuf;

use notify::{RecursiveMode, Watcher};
use tokio::sync::mpsc;

use crate::CatalogError;

/// Keeps the OS watches alive; dropping it stops watching.
pub struct FolderWatch {
    _watcher: notify::RecommendedWatcher,
}

/// Watches `folders` recursively and sends `()` on `wake` for every change.
pub fn watch_folders(
    folders: &[PathBuf],
    wake: mpsc::Sender<()>,
) -> Result<FolderWatch, CatalogError> {
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event
            && (event.kind.is_modify() || event.kind.is_create() || event.kind.is_remove())
        {
            // A full channel already holds a pending wake-up.
            let _ = wake.try_send(());
        }
    })
    .map_err(|e| CatalogError::Watch(e.to_string()))?;
    for folder in folders {
        if folder.is_dir() {
            watcher
                .watch(folder, RecursiveMode::Recursive)
                .map_err(|e| CatalogError::Watch(format!("{}: {e}", folder.display())))?;
        }
    }
    Ok(FolderWatch { _watcher: watcher })
}
