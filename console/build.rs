//! Generates the citro2d/citro3d bindings the renderer needs.
//!
//! bindgen reads devkitPro's `citro2d.h` (which includes `citro3d.h`) with
//! the same compiler settings ctru-sys uses for libctru, so the types those
//! headers share with libctru (`u32`, `gfxScreen_t`, `GPU_TEXCOLOR`...) are
//! taken from ctru-sys instead of being generated twice. citro2d's API is
//! largely `static inline` (C2D_SceneBegin, C2D_DrawRectSolid,
//! C2D_DrawImageAt, C3D_TexInit...): bindgen writes a C file of exported
//! wrappers for those, which is compiled here with devkitARM's gcc.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The header items the renderer uses, and nothing else: a small surface is
/// a small unsafe surface.
const FUNCTIONS: &[&str] = &[
    "C3D_Init",
    "C3D_Fini",
    "C3D_FrameBegin",
    "C3D_FrameEnd",
    "C3D_TexInit",
    "C3D_TexDelete",
    "C3D_TexFlush",
    "C3D_TexSetFilter",
    "C2D_Init",
    "C2D_Fini",
    "C2D_Prepare",
    "C2D_Flush",
    "C2D_CreateScreenTarget",
    "C2D_TargetClear",
    "C2D_SceneBegin",
    "C2D_Color32",
    "C2D_DrawRectSolid",
    "C2D_DrawImageAt",
    "C2D_TextBufNew",
    "C2D_TextBufDelete",
    "C2D_TextBufClear",
    "C2D_TextParse",
    "C2D_TextOptimize",
    "C2D_TextGetDimensions",
    "C2D_DrawText",
];

const TYPES: &[&str] = &[
    "C3D_Tex",
    "C3D_RenderTarget",
    "C2D_Image",
    "C2D_Text",
    "C2D_TextBuf",
    "C2D_ImageTint",
    "Tex3DS_SubTexture",
];

const CONSTANTS: &[&str] = &[
    "C3D_DEFAULT_CMDBUF_SIZE",
    "C2D_DEFAULT_MAX_OBJECTS",
    "C3D_FRAME_SYNCDRAW",
    "C2D_AlignLeft",
    "C2D_AlignRight",
    "C2D_AlignCenter",
    "C2D_WithColor",
];

fn main() {
    let devkitpro = env_path("DEVKITPRO");
    let devkitarm = env_path("DEVKITARM");
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));

    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=DEVKITPRO");
    println!("cargo:rerun-if-env-changed=DEVKITARM");
    // devkitPro's citro2d and citro3d packages install beside libctru.
    println!(
        "cargo:rustc-link-search=native={}",
        devkitpro.join("libctru/lib").display()
    );
    println!("cargo:rustc-link-lib=static=citro2d");
    println!("cargo:rustc-link-lib=static=citro3d");

    let include = devkitpro.join("libctru/include");
    let sysroot = devkitarm.join("arm-none-eabi");
    let gcc = devkitarm.join("bin/arm-none-eabi-gcc");
    let gcc_include = devkitarm
        .join("lib/gcc/arm-none-eabi")
        .join(gcc_version(&gcc))
        .join("include");

    let mut builder = bindgen::Builder::default()
        .header(include.join("citro2d.h").to_string_lossy())
        .rust_target(bindgen::RustTarget::nightly())
        .use_core()
        .ctypes_prefix("::libc")
        .prepend_enum_name(false)
        .layout_tests(false)
        .derive_default(true)
        // Types shared with libctru come from ctru-sys (`use ctru_sys::*` in
        // src/citro2d/sys.rs), so only the allowlisted items are emitted.
        .allowlist_recursively(false)
        .wrap_static_fns(true)
        .wrap_static_fns_path(out_dir.join("citro2d_statics"))
        .wrap_unsafe_ops(true)
        .clang_args([
            "-march=armv6k",
            "-mtune=mpcore",
            "-mfloat-abi=hard",
            "-mfpu=vfp",
            "-mtp=soft",
            "-D__3DS__",
            "-DARM11",
            // libctru's structs rely on gcc's short enums (see ctru-sys).
            "-fshort-enums",
        ])
        .clang_arg(format!("--sysroot={}", sysroot.display()))
        .clang_arg(format!("-isystem{}", sysroot.join("include").display()))
        .clang_arg(format!("-isystem{}", gcc_include.display()))
        .clang_arg(format!("-I{}", include.display()));
    for function in FUNCTIONS {
        builder = builder.allowlist_function(function);
    }
    for ty in TYPES {
        builder = builder.allowlist_type(ty);
    }
    for constant in CONSTANTS {
        builder = builder.allowlist_var(constant);
    }
    // The structs behind the allowlisted typedefs.
    builder = builder
        .allowlist_type("C3D_Tex_?s?")
        .allowlist_type("C3D_RenderTarget_tag")
        .allowlist_type("C2D_TextBuf_s")
        .allowlist_type("C2D_Tint")
        .allowlist_type("Tex3DS_SubTexture")
        .allowlist_type("C3D_TexCube")
        .allowlist_type("C3D_FrameBuf")
        .allowlist_type("C2D_Font")
        .allowlist_type("C2D_Font_s")
        .opaque_type("C2D_Font_s");

    builder
        .generate()
        .expect("bindgen could not read citro2d.h: is devkitPro's citro2d installed?")
        .write_to_file(out_dir.join("citro2d.rs"))
        .expect("writing the citro2d bindings");

    cc::Build::new()
        .compiler(&gcc)
        .archiver(devkitarm.join("bin/arm-none-eabi-ar"))
        .include(&include)
        .define("ARM11", None)
        .define("__3DS__", None)
        .flag("-march=armv6k")
        .flag("-mtune=mpcore")
        .flag("-mfloat-abi=hard")
        .flag("-mfpu=vfp")
        .flag("-mtp=soft")
        .file(out_dir.join("citro2d_statics.c"))
        .compile("citro2d_statics");
}

fn env_path(name: &str) -> PathBuf {
    PathBuf::from(env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: install devkitPro and source its environment")
    }))
}

/// devkitARM's gcc version, which names its private include directory.
fn gcc_version(gcc: &Path) -> String {
    let output = Command::new(gcc)
        .arg("-dumpversion")
        .output()
        .unwrap_or_else(|error| panic!("running {}: {error}", gcc.display()));
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}
