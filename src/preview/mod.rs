//! The PC preview of the console UI: display lists rasterized to PNG.

pub mod batch_scenario;
pub mod canvas;
pub mod card_export_scenario;
pub mod card_spec;
pub mod dir_sd;
pub mod dsiware_scenario;
pub mod extdata_scenario;
pub mod finding_scenario;
pub mod font;
pub mod gba_scenario;
pub mod keyboard;
pub mod png;
pub mod raster;
pub mod real;
pub mod runner;
pub mod scenarios;
pub mod script;
pub mod seed_scenario;
pub mod system_scenario;
