//! The simulated power supply, shared by every simulated device.
//!
//! Every operation that changes stored data (an SPI program or erase, an SD
//! write, rename or removal, an archive write or commit) counts as one write.
//! With a cut armed at N, the Nth write completes and the power goes: every
//! later operation of any device fails with "power lost" until
//! [`PowerSupply::restore`], which is what a user switching the console
//! back on sees.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

#[derive(Debug, Default)]
struct State {
    writes: AtomicU64,
    cut_after: AtomicU64,
    lost: AtomicBool,
}

/// A handle on the shared power state; clones share it.
#[derive(Debug, Clone)]
pub struct PowerSupply(Arc<State>);

/// The power is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PowerLost;

impl Default for PowerSupply {
    fn default() -> Self {
        Self::new()
    }
}

impl PowerSupply {
    /// Power on, no cut armed.
    pub fn new() -> Self {
        let state = State::default();
        state.cut_after.store(u64::MAX, Ordering::Relaxed);
        Self(Arc::new(state))
    }

    /// Cuts the power right after the `n`th write from now (`n >= 1`).
    pub fn cut_after_writes(&self, n: u64) {
        let done = self.0.writes.load(Ordering::Relaxed);
        self.0
            .cut_after
            .store(done.saturating_add(n.max(1)), Ordering::Relaxed);
    }

    /// Switches the power back on and disarms any cut.
    pub fn restore(&self) {
        self.0.cut_after.store(u64::MAX, Ordering::Relaxed);
        self.0.lost.store(false, Ordering::Relaxed);
    }

    /// Whether the power is on.
    pub fn is_on(&self) -> bool {
        !self.0.lost.load(Ordering::Relaxed)
    }

    /// Writes performed since the supply was made.
    pub fn writes(&self) -> u64 {
        self.0.writes.load(Ordering::Relaxed)
    }

    /// Fails when the power is off.
    pub fn check(&self) -> Result<(), PowerLost> {
        if self.is_on() { Ok(()) } else { Err(PowerLost) }
    }

    /// Accounts for one write about to be performed: fails when the power is
    /// off; otherwise the write may go ahead, and if it is the armed one the
    /// power goes right after it.
    pub fn begin_write(&self) -> Result<(), PowerLost> {
        self.check()?;
        let n = self.0.writes.fetch_add(1, Ordering::Relaxed) + 1;
        if n >= self.0.cut_after.load(Ordering::Relaxed) {
            self.0.lost.store(true, Ordering::Relaxed);
        }
        Ok(())
    }
}

/// The POWER button, as an app built on libctru meets it.
///
/// libctru (devkitPro/libctru, `libctru/source/services/apt.c`) notes a
/// press in its APT event thread (`APTSIGNAL_POWERBUTTON` sets
/// `FLAG_POWERBUTTON`) whatever `aptSetHomeAllowed` says: only the HOME
/// signals check that lock. The press takes effect at the app's next
/// `aptMainLoop()`, which calls `aptHandleJumpToHome()`
/// (`libctru/include/3ds/services/apt.h`); `aptShouldJumpToHome()` is true while
/// `FLAG_POWERBUTTON` is set, so the app is suspended for the HOME menu's
/// power-off dialog, and "Power off" ends it. A press is therefore only a
/// flag until the main loop hands control to APT; this model keeps it the
/// same way, and [`PowerButton::main_loop`] is that hand-over.
#[derive(Debug, Clone, Default)]
pub struct PowerButton {
    pressed: bool,
}

impl PowerButton {
    /// The user presses POWER (and will choose "Power off").
    pub fn press(&mut self) {
        self.pressed = true;
    }

    /// Whether a press waits for the main loop.
    pub fn pending(&self) -> bool {
        self.pressed
    }

    /// The main loop's call into APT (`aptMainLoop`): `false` when the app
    /// must end now because a press was waiting.
    pub fn main_loop(&mut self) -> bool {
        !std::mem::take(&mut self.pressed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_armed_write_completes_and_the_next_fails() {
        let power = PowerSupply::new();
        power.begin_write().unwrap();
        power.cut_after_writes(2);
        assert_eq!(power.begin_write(), Ok(()));
        assert!(power.is_on());
        assert_eq!(power.begin_write(), Ok(()));
        assert!(!power.is_on());
        assert_eq!(power.begin_write(), Err(PowerLost));
        assert_eq!(power.writes(), 3);
        power.restore();
        assert_eq!(power.begin_write(), Ok(()));
    }

    #[test]
    fn a_power_press_waits_for_the_main_loop() {
        let mut button = PowerButton::default();
        assert!(button.main_loop());
        button.press();
        assert!(button.pending());
        assert!(
            !button.main_loop(),
            "the press ends the app at the hand-over"
        );
        assert!(button.main_loop());
    }
}
