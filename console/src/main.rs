//! Keepsake on the Nintendo 3DS: a thin shell over keepsake-core.
//!
//! Start-up: the services every environment has (APT, GFX, HID, the SD
//! card, romfs), the probing configuration, probing, then the core's app
//! model over this console. Then one iteration per frame: APT's main loop
//! (skipped while a save is being written, see below), input, the UI's
//! frame (which runs one step of a running job), home button and sleep
//! locked while a restore runs, drawing; citro3d paces it at 60 frames per
//! second. Leaving the loop drops everything in reverse order of creation,
//! which releases every service.

mod citro2d;
mod console;
mod failure_screen;
mod input;
mod probe;
mod render;
mod system;

use std::cell::RefCell;
use std::process::ExitCode;
use std::rc::Rc;

use ctru::services::apt::Apt;
use ctru::services::gfx::Gfx;
use ctru::services::hid::Hid;
use ctru::services::romfs::RomFS;
use keepsake_core::app::{ConsoleModel, SystemEvents};
use keepsake_core::store::probe_config::{choose_config, read_sd_config};
use keepsake_core::ui::notices::{draw_notices, notices_dismissed};
use keepsake_core::ui::{AppModel, Frame, Signal, Ui};

use crate::citro2d::Citro2d;
use crate::console::Console3ds;
use crate::render::Renderer;
use crate::system::keyboard::SystemKeyboard;
use crate::system::sd::Sdmc;

/// The built-in probing defaults, from romfs/config.json.
const BUILT_IN_CONFIG: &str = "romfs:/config.json";

fn main() -> ExitCode {
    // A panic shows what failed on both screens and lands in the log.
    failure_screen::install_panic_hook();
    match run() {
        Ok(()) => {
            failure_screen::flush();
            ExitCode::SUCCESS
        }
        Err(error) => {
            // stderr goes to the debugger (and to Panda3DS's log); the
            // screens say it too, and where the log is.
            eprintln!("keepsake: {error}");
            failure_screen::show_startup_failure(&error);
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    system::stderr_to_debugger();
    let apt = Rc::new(RefCell::new(Apt::new().map_err(|e| format!("APT: {e}"))?));
    let gfx = Rc::new(Gfx::new().map_err(|e| format!("GFX: {e}"))?);
    let mut hid = Hid::new().map_err(|e| format!("HID: {e}"))?;
    // Only the built-in config lives in romfs; the app works without it.
    let _romfs = RomFS::new()
        .map_err(|e| eprintln!("romfs: {e}; using the default probing"))
        .ok();

    // Also found under its temporary name after a settings save cut short.
    let sd_config = read_sd_config(&mut Sdmc);
    let built_in = std::fs::read(BUILT_IN_CONFIG).ok();
    let (config, config_problem) = choose_config(sd_config.as_deref(), built_in.as_deref());
    let probed = probe::probe(&config);
    let notices = probed.capabilities.notices();
    for notice in &notices {
        eprintln!("unavailable: {}", notice.text);
    }

    let keyboard = SystemKeyboard::new(Rc::clone(&apt), Rc::clone(&gfx));
    let mut model = ConsoleModel::new(Console3ds::new(probed), Box::new(keyboard));
    // Problems reading the settings are shown with the notices: the UI has
    // no other place for them before the first screen.
    let problems: Vec<&str> = config_problem
        .iter()
        .chain(&model.startup_warning)
        .map(String::as_str)
        .collect();
    let problem = (!problems.is_empty()).then(|| problems.join(" "));
    if let Some(problem) = &problem {
        eprintln!("start-up: {problem}");
    }

    let citro = Citro2d::new(&gfx).map_err(|e| e.to_string())?;
    let mut renderer = Renderer::new(&citro).map_err(|e| e.to_string())?;
    let mut ui = Ui::new();
    let mut frame = Frame::default();
    let mut showing_notices = !notices.is_empty() || problem.is_some();
    let mut leaving_locked = false;

    loop {
        // POWER is not covered by the HOME lock: libctru's APT event
        // thread sets FLAG_POWERBUTTON on APTSIGNAL_POWERBUTTON whatever
        // aptSetHomeAllowed says (devkitPro/libctru,
        // libctru/source/services/apt.c, aptEventHandler), and aptMainLoop
        // -> aptHandleJumpToHome (libctru/include/3ds/services/apt.h) then
        // suspends the app for the HOME menu's power-off dialog, which ends
        // it. So from a job's first write to the end of its read-back the
        // loop does not call aptMainLoop at all; the press waits until the
        // save is whole. Frames keep their pace without it:
        // C3D_FrameBegin(C3D_FRAME_SYNCDRAW) waits for VBlank
        // (devkitPro/citro3d, source/renderqueue.c, C3D_FrameSync).
        if model.system_events() == SystemEvents::Allowed && !apt.borrow().main_loop() {
            break;
        }
        let input = input::read(&mut hid);
        if showing_notices {
            draw_notices(&notices, problem.as_deref(), model.theme(), &mut frame);
            showing_notices = !notices_dismissed(&input);
        } else if ui.frame(&input, &mut model, &mut frame) == Signal::Exit {
            break;
        }
        // A restore must not be interrupted: no HOME menu, no sleep.
        let restoring = ui.restore_running();
        if restoring != leaving_locked {
            let mut apt = apt.borrow_mut();
            apt.set_home_allowed(!restoring);
            apt.set_sleep_allowed(!restoring);
            leaving_locked = restoring;
        }
        renderer.draw(&frame);
    }
    Ok(())
}
