//! The 3DS side: cartridge save flash and the containers inside it.
//!
//! A CARD1 cartridge's save flash is wear-leveled ([`wear`]) and encrypted
//! ([`crypto`]); once both layers are removed it holds a DISA image whose
//! header is signed with AES-CMAC ([`crypto::sign`]).

pub mod crypto;
pub mod detect;
pub mod wear;

#[cfg(any(test, feature = "testgen"))]
#[doc(hidden)]
pub mod testgen;
