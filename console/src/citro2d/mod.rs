//! A small safe layer over citro2d: exactly what the renderer needs.
//!
//! - [`Citro2d`]: citro3d and citro2d started together, stopped on drop;
//! - [`Target`]: a screen's render target (citro3d frees them at shutdown);
//! - [`Citro2d::frame`]: one GPU frame, begun and ended around a closure;
//! - solid rectangles, system-font text, images from textures.
//!
//! Every `unsafe` block of the renderer lives in this file.

pub mod sys;

use std::cell::Cell;
use std::ffi::CString;
use std::marker::PhantomData;

use ctru::services::gfx::Gfx;
use keepsake_core::gpu_texture::TiledTexture;
use thiserror::Error;

/// Why the renderer could not do something; shown on the debug log, since
/// without a renderer there is no screen to show it on.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum RenderError {
    #[error("citro3d could not start (C3D_Init)")]
    Citro3dInit,
    #[error("citro2d could not start (C2D_Init)")]
    Citro2dInit,
    #[error("no render target for the {0:?} screen (C2D_CreateScreenTarget)")]
    Target(Screen),
    #[error("no room for a {width}x{height} texture (C3D_TexInit)")]
    Texture { width: u16, height: u16 },
    #[error("text with a NUL byte cannot be drawn")]
    NulInText,
    #[error("the text buffer is full (C2D_TextParse)")]
    TextBufferFull,
}

/// The two screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Top,
    Bottom,
}

/// citro3d and citro2d, running; needs the graphics service, hence `&Gfx`.
pub struct Citro2d<'gfx> {
    in_frame: Cell<bool>,
    _gfx: PhantomData<&'gfx Gfx>,
}

impl<'gfx> Citro2d<'gfx> {
    pub fn new(_gfx: &'gfx Gfx) -> Result<Self, RenderError> {
        // SAFETY: gfx is initialised (the borrow proves it) and citro3d is
        // started once: Citro2d is the only caller, and `Drop` stops it.
        if !unsafe { sys::C3D_Init(sys::C3D_DEFAULT_CMDBUF_SIZE as usize) } {
            return Err(RenderError::Citro3dInit);
        }
        // SAFETY: citro3d runs; citro2d is started once, stopped in Drop.
        if !unsafe { sys::C2D_Init(sys::C2D_DEFAULT_MAX_OBJECTS as usize) } {
            // SAFETY: balances the C3D_Init above.
            unsafe { sys::C3D_Fini() };
            return Err(RenderError::Citro2dInit);
        }
        // SAFETY: both libraries run; this sets up citro2d's GPU state.
        unsafe { sys::C2D_Prepare() };
        Ok(Self {
            in_frame: Cell::new(false),
            _gfx: PhantomData,
        })
    }

    /// The render target of a screen (its left eye: no stereoscopy).
    pub fn target(&self, screen: Screen) -> Result<Target<'_>, RenderError> {
        let raw_screen = match screen {
            Screen::Top => ctru_sys::GFX_TOP,
            Screen::Bottom => ctru_sys::GFX_BOTTOM,
        };
        // SAFETY: citro2d runs (self exists); the returned target is owned
        // by citro3d until C3D_Fini, which `Target`'s lifetime precedes.
        let raw = unsafe { sys::C2D_CreateScreenTarget(raw_screen, ctru_sys::GFX_LEFT) };
        if raw.is_null() {
            return Err(RenderError::Target(screen));
        }
        Ok(Target {
            raw,
            _citro: PhantomData,
        })
    }

    /// Runs `draw` between the beginning and the end of a GPU frame; the
    /// frame waits for the previous one, which paces the loop at 60 fps.
    /// Frames cannot nest; `draw` could reach this `Citro2d` through another
    /// shared reference, so nesting is checked at run time.
    pub fn frame<R>(&self, draw: impl FnOnce(&mut Scene<'_>) -> R) -> R {
        assert!(!self.in_frame.replace(true), "citro2d frames cannot nest");
        // SAFETY: citro2d runs; FrameBegin/FrameEnd are paired right here,
        // never nested (checked above).
        unsafe { sys::C3D_FrameBegin(sys::C3D_FRAME_SYNCDRAW) };
        let result = draw(&mut Scene {
            _frame: PhantomData,
        });
        // SAFETY: ends the frame begun above.
        unsafe { sys::C3D_FrameEnd(0) };
        self.in_frame.set(false);
        result
    }
}

impl Drop for Citro2d<'_> {
    fn drop(&mut self) {
        // SAFETY: stops what `new` started, in reverse order; textures and
        // text buffers borrow `self`, so none outlives this.
        unsafe {
            sys::C2D_Fini();
            sys::C3D_Fini();
        }
    }
}

/// A screen's render target.
pub struct Target<'c> {
    raw: *mut sys::C3D_RenderTarget,
    _citro: PhantomData<&'c ()>,
}

/// Packs a colour the way citro2d wants it.
pub fn color(r: u8, g: u8, b: u8, a: u8) -> u32 {
    // SAFETY: pure arithmetic (a static inline function of citro2d).
    unsafe { sys::C2D_Color32(r, g, b, a) }
}

/// Drawing inside one frame.
pub struct Scene<'f> {
    _frame: PhantomData<&'f mut ()>,
}

/// Horizontal anchoring of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextAlign {
    Left,
    Center,
    Right,
}

impl Scene<'_> {
    /// Clears `target` to `background` and sends what follows to it.
    pub fn begin(&mut self, target: &Target<'_>, background: u32) {
        // SAFETY: the target is alive (borrowed) and a frame is open.
        unsafe {
            sys::C2D_TargetClear(target.raw, background);
            sys::C2D_SceneBegin(target.raw);
        }
    }

    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: u32) {
        // SAFETY: a scene is open; plain values only.
        unsafe { sys::C2D_DrawRectSolid(x, y, 0.0, w, h, color) };
    }

    /// Draws parsed text at (x, y) (its top), scaled, in `color`.
    pub fn text(
        &mut self,
        text: &Text<'_>,
        x: f32,
        y: f32,
        scale: f32,
        color: u32,
        align: TextAlign,
    ) {
        let align = match align {
            TextAlign::Left => sys::C2D_AlignLeft,
            TextAlign::Center => sys::C2D_AlignCenter,
            TextAlign::Right => sys::C2D_AlignRight,
        };
        let flags = u32::from(sys::C2D_WithColor) | u32::from(align);
        // SAFETY: `text` was parsed into a buffer that is still alive and
        // not cleared (its lifetime says so); C2D_WithColor makes the one
        // variadic argument a u32 colour, as passed.
        unsafe { sys::C2D_DrawText(&text.raw, flags, x, y, 0.0, scale, scale, color) };
    }

    /// Draws a texture's image at (x, y), scaled.
    pub fn image(&mut self, texture: &Texture<'_>, x: f32, y: f32, scale_x: f32, scale_y: f32) {
        let image = sys::C2D_Image {
            tex: std::ptr::from_ref(&*texture.tex).cast_mut(),
            subtex: &*texture.sub,
        };
        // SAFETY: the texture and sub-texture are boxed and alive for the
        // borrow; citro2d only reads them; a null tint means none.
        unsafe { sys::C2D_DrawImageAt(image, x, y, 0.0, std::ptr::null(), scale_x, scale_y) };
    }
}

/// A buffer of parsed glyphs for one frame's text.
pub struct TextBuf<'c> {
    raw: sys::C2D_TextBuf,
    _citro: PhantomData<&'c ()>,
}

impl<'c> TextBuf<'c> {
    pub fn new(_citro: &'c Citro2d<'_>, glyphs: usize) -> Result<Self, RenderError> {
        // SAFETY: citro2d runs; the buffer is deleted in Drop.
        let raw = unsafe { sys::C2D_TextBufNew(glyphs) };
        if raw.is_null() {
            return Err(RenderError::TextBufferFull);
        }
        Ok(Self {
            raw,
            _citro: PhantomData,
        })
    }

    /// Forgets every parsed text; needs `&mut`, so no `Text` is alive.
    pub fn clear(&mut self) {
        // SAFETY: the buffer is alive; no Text borrows it (exclusive borrow).
        unsafe { sys::C2D_TextBufClear(self.raw) };
    }

    /// Parses `text` with the system font.
    pub fn parse(&self, text: &str) -> Result<Text<'_>, RenderError> {
        let c_text = CString::new(text).map_err(|_| RenderError::NulInText)?;
        let mut raw = sys::C2D_Text::default();
        // SAFETY: `raw` is a valid out-pointer, the buffer is alive, the
        // string is NUL-terminated and outlives the call (citro2d copies
        // glyph indices, not the string). The font field stays null: the
        // system font.
        let end = unsafe { sys::C2D_TextParse(&mut raw, self.raw, c_text.as_ptr()) };
        // SAFETY: `end` points into `c_text` (or is null), still alive.
        if end.is_null() || unsafe { *end } != 0 {
            return Err(RenderError::TextBufferFull);
        }
        // SAFETY: `raw` was just filled by C2D_TextParse.
        unsafe { sys::C2D_TextOptimize(&raw) };
        Ok(Text {
            raw,
            _buf: PhantomData,
        })
    }
}

impl Drop for TextBuf<'_> {
    fn drop(&mut self) {
        // SAFETY: deletes the buffer created in `new`, once.
        unsafe { sys::C2D_TextBufDelete(self.raw) };
    }
}

/// Text parsed into a [`TextBuf`].
pub struct Text<'b> {
    raw: sys::C2D_Text,
    _buf: PhantomData<&'b ()>,
}

impl Text<'_> {
    /// Width and height in pixels at `scale`.
    pub fn size(&self, scale: f32) -> (f32, f32) {
        let (mut width, mut height) = (0.0f32, 0.0f32);
        // SAFETY: parsed text in a live buffer; valid out-pointers.
        unsafe { sys::C2D_TextGetDimensions(&self.raw, scale, scale, &mut width, &mut height) };
        (width, height)
    }
}

/// An image uploaded to the GPU.
pub struct Texture<'c> {
    tex: Box<sys::C3D_Tex>,
    sub: Box<sys::Tex3DS_SubTexture>,
    _citro: PhantomData<&'c ()>,
}

impl<'c> Texture<'c> {
    pub fn upload(_citro: &'c Citro2d<'_>, tiled: &TiledTexture) -> Result<Self, RenderError> {
        let mut tex = Box::new(sys::C3D_Tex::default());
        let too_big = RenderError::Texture {
            width: tiled.width,
            height: tiled.height,
        };
        // SAFETY: `tex` is a valid, boxed (stable) C3D_Tex; the sides are
        // powers of two within the GPU's limits (TiledTexture guarantees).
        if !unsafe { sys::C3D_TexInit(&mut *tex, tiled.width, tiled.height, ctru_sys::GPU_RGBA8) } {
            return Err(too_big);
        }
        let size = usize::from(tiled.width) * usize::from(tiled.height) * 4;
        debug_assert_eq!(size, tiled.bytes.len());
        // SAFETY: C3D_TexInit allocated `size` bytes of linear memory for an
        // RGBA8 texture of these sides at `data`; `tiled.bytes` has exactly
        // that many; the regions cannot overlap (one is ours, one the GPU's).
        unsafe {
            let data = tex.__bindgen_anon_1.data.cast::<u8>();
            std::ptr::copy_nonoverlapping(tiled.bytes.as_ptr(), data, size.min(tiled.bytes.len()));
            sys::C3D_TexFlush(&mut *tex);
            sys::C3D_TexSetFilter(&mut *tex, ctru_sys::GPU_LINEAR, ctru_sys::GPU_LINEAR);
        }
        let sub = Box::new(sys::Tex3DS_SubTexture {
            width: tiled.sub.width,
            height: tiled.sub.height,
            left: tiled.sub.left,
            top: tiled.sub.top,
            right: tiled.sub.right,
            bottom: tiled.sub.bottom,
        });
        Ok(Self {
            tex,
            sub,
            _citro: PhantomData,
        })
    }

    /// The image's size in pixels.
    pub fn size(&self) -> (u16, u16) {
        (self.sub.width, self.sub.height)
    }
}

impl Drop for Texture<'_> {
    fn drop(&mut self) {
        // SAFETY: frees the texture memory C3D_TexInit allocated, once.
        unsafe { sys::C3D_TexDelete(&mut *self.tex) };
    }
}
