//! The record of every check a decode made, and of the logical bytes that
//! could not be trusted.

use std::fmt;

use super::WearError;

/// The checks a decode makes, in the order it makes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Check {
    /// The CRC-16 after the block map.
    MapCrc,
    /// Every virtual block maps to a distinct physical sector in range.
    MapPermutation,
    /// Journal entries: both copies equal, previous-mapping fields consistent.
    Journal,
    /// V1: each initialized 0x200-byte chunk against its checksum.
    ChunkChecksums,
    /// The spare block is uninitialized after replay.
    Spare,
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Check::MapCrc => "block map CRC",
            Check::MapPermutation => "block map permutation",
            Check::Journal => "journal",
            Check::ChunkChecksums => "chunk checksums",
            Check::Spare => "spare block",
        })
    }
}

/// One check's outcome: what passed, or the typed error that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub check: Check,
    pub outcome: Result<String, WearError>,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.outcome {
            Ok(what) => write!(f, "ok    {}: {what}", self.check),
            Err(error) => write!(f, "FAIL  {}: {error}", self.check),
        }
    }
}

/// A run of logical bytes whose contents could not be verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Untrusted {
    pub logical_offset: usize,
    pub len: usize,
    pub reason: String,
}

impl fmt::Display for Untrusted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "logical bytes {:#x} to {:#x}: {}",
            self.logical_offset,
            self.logical_offset + self.len - 1,
            self.reason
        )
    }
}

/// Everything a decode checked and found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub findings: Vec<Finding>,
    /// Journal entries applied to the map.
    pub journal_replayed: usize,
    /// Logical ranges that could not be trusted, in order, not overlapping.
    pub untrusted: Vec<Untrusted>,
}

impl Report {
    /// True when every check passed and every logical byte is trusted.
    pub fn is_clean(&self) -> bool {
        self.failures().next().is_none() && self.untrusted.is_empty()
    }

    /// The errors of the checks that failed, in order.
    pub fn failures(&self) -> impl Iterator<Item = &WearError> {
        self.findings
            .iter()
            .filter_map(|f| f.outcome.as_ref().err())
    }

    /// Logical bytes that could not be trusted.
    pub fn untrusted_bytes(&self) -> usize {
        self.untrusted.iter().map(|u| u.len).sum()
    }

    pub(crate) fn pass(&mut self, check: Check, what: impl Into<String>) {
        self.findings.push(Finding {
            check,
            outcome: Ok(what.into()),
        });
    }

    pub(crate) fn fail(&mut self, check: Check, error: WearError) {
        self.findings.push(Finding {
            check,
            outcome: Err(error),
        });
    }
}
