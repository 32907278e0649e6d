//! Backup names typed on the software keyboard applet (ctru-rs wraps it
//! safely). The applet needs APT and the graphics service while it runs.

use std::borrow::Cow;
use std::cell::RefCell;
use std::rc::Rc;

use ctru::applets::swkbd::{Button, ButtonConfig, Kind, SoftwareKeyboard};
use ctru::services::apt::Apt;
use ctru::services::gfx::Gfx;
use keepsake_core::ui::Keyboard;

/// Longest backup name accepted (folder names stay short on FAT).
const MAX_NAME: u16 = 64;

pub struct SystemKeyboard {
    apt: Rc<RefCell<Apt>>,
    gfx: Rc<Gfx>,
}

impl SystemKeyboard {
    pub fn new(apt: Rc<RefCell<Apt>>, gfx: Rc<Gfx>) -> Self {
        Self { apt, gfx }
    }
}

impl Keyboard for SystemKeyboard {
    fn input(&mut self, hint: &str, initial: &str) -> Option<String> {
        let mut keyboard = SoftwareKeyboard::new(Kind::Normal, ButtonConfig::LeftRight);
        keyboard.set_hint_text(Some(hint));
        keyboard.set_initial_text(Some(Cow::Owned(initial.to_owned())));
        keyboard.set_max_text_len(MAX_NAME);
        match keyboard.launch(&self.apt.borrow(), &self.gfx) {
            Ok((text, Button::Right)) => Some(text),
            Ok(_) => None,
            Err(error) => {
                eprintln!("software keyboard: {error:?}");
                None
            }
        }
    }
}
