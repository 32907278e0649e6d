//! The generated citro2d/citro3d bindings (see build.rs). Types shared with
//! libctru resolve to ctru-sys's.
#![allow(
    non_upper_case_globals,
    non_camel_case_types,
    non_snake_case,
    dead_code,
    unsafe_op_in_unsafe_fn,
    clippy::all
)]

use ctru_sys::*;

include!(concat!(env!("OUT_DIR"), "/citro2d.rs"));
