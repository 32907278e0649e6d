# `make` builds keepsake.3dsx, `make cia` keepsake.cia (both need devkitPro,
# nightly Rust with rust-src and cargo-3ds: see README.md, "Building the
# console app"); `make test` runs the same host tests as CI.

CONSOLE_OUT := console/target/armv6k-nintendo-3ds/release
CIA_WORK    := console/target/cia

.PHONY: all cia test FORCE

all: keepsake.3dsx

# cargo-3ds builds the ELF, its SMDH (from icon.png) and the .3dsx with romfs/.
keepsake.3dsx: FORCE
	cd console && cargo 3ds build --release
	cp $(CONSOLE_OUT)/keepsake-3ds.3dsx $@

cia: keepsake.cia

keepsake.cia: keepsake.3dsx meta/app.rsf meta/banner.png meta/audio.wav icon.png
	mkdir -p $(CIA_WORK)
	bannertool makebanner -i meta/banner.png -a meta/audio.wav -o $(CIA_WORK)/banner.bnr
	bannertool makesmdh -s "Keepsake" -l "Back up and restore NDS and 3DS saves" \
		-p "Keepsake" -i icon.png -o $(CIA_WORK)/icon.smdh
	makerom -f cia -o $@ -target t -exefslogo -rsf meta/app.rsf \
		-elf $(CONSOLE_OUT)/keepsake-3ds.elf \
		-icon $(CIA_WORK)/icon.smdh -banner $(CIA_WORK)/banner.bnr

# Host side: `make test` runs the same tests as CI, and like CI it requires
# the shared fixtures (../shared/fixtures unless KEEPSAKE_FIXTURES says
# otherwise): a test whose fixture is missing fails instead of skipping.
KEEPSAKE_FIXTURES ?= $(abspath $(CURDIR)/../shared/fixtures)

test:
	@test -f "$(KEEPSAKE_FIXTURES)/README.md" || { \
		echo "make test needs the shared fixtures at $(KEEPSAKE_FIXTURES) (set KEEPSAKE_FIXTURES)" >&2; \
		exit 1; }
	KEEPSAKE_FIXTURES="$(KEEPSAKE_FIXTURES)" KEEPSAKE_REQUIRE_FIXTURES=1 cargo test --workspace

FORCE:
