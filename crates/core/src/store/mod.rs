//! Backups on the SD card, in Checkpoint's layout (see [`naming`]), read
//! and written safely: new backups are built aside and renamed into place
//! ([`BackupWriter`]), and nothing but the save goes into a backup folder.

pub mod config;
pub mod dsiware_scan;
mod error;
pub mod export;
pub mod export_write;
pub mod found_saves;
pub mod journal;
pub mod locate;
pub mod naming;
pub mod nds_backup;
pub mod probe_config;
pub mod secure_values;
pub mod system_folders;
pub mod system_scan;
pub mod theme;
mod title;
pub mod title_cache;
pub mod title_prefs;
pub mod title_scan;
pub mod writer;

pub use config::Config;
pub use error::StoreError;
pub use locate::{BackupEntry, BackupSource, list_backups, title_dir};
pub use theme::Theme;
pub use title::BackupTitle;
pub use writer::{BackupWriter, clean_staging, free_name};
