//! The 3DS side: cartridge save flash and the containers inside it.
//!
//! A CARD1 cartridge's save flash is wear-leveled ([`wear`]) and encrypted
//! ([`crypto`]); once both layers are removed it holds a DISA image whose
//! header is signed with AES-CMAC ([`crypto::sign`]). A DISA ([`disa`]) or
//! DIFF ([`diff`]) container holds one or two partitions ([`partition`]:
//! [`difi`] descriptors, [`dpfs`] copies, [`ivfc`] hash trees); a save's
//! partitions hold the SAVE filesystem ([`savefs`]).

pub mod bdri;
pub mod container;
pub mod crypto;
pub mod detect;
pub mod diff;
pub mod difi;
pub mod disa;
pub mod dpfs;
pub mod fuzzing;
pub mod ivfc;
pub mod keys;
pub mod nand;
pub mod partition;
pub mod savefs;
pub mod sd;
pub mod vsxe;
pub mod wear;

#[cfg(any(test, feature = "testgen"))]
#[doc(hidden)]
pub mod savegen;
#[cfg(any(test, feature = "testgen"))]
#[doc(hidden)]
pub mod testgen;
