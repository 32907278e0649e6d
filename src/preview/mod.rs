//! The PC preview of the console UI: display lists rasterized to PNG.

pub mod canvas;
pub mod font;
pub mod keyboard;
pub mod png;
pub mod raster;
pub mod runner;
pub mod scenarios;
pub mod script;
