#!/usr/bin/env python3
"""Draws Keepsake's console assets with the standard library alone.

Writes, relative to the repository root:
  icon.png          48x48 RGBA   the app icon (SMDH, .3dsx and .cia)
  meta/banner.png   256x128 RGBA the HOME Menu banner of the .cia
  meta/audio.wav    16-bit mono  the banner jingle (under 3 seconds)

Run once after changing the drawing: `python3 meta/make_assets.py`.
The outputs are committed; the build never runs this script.
"""

import math
import os
import struct
import wave
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

NAVY = (22, 34, 58)
TEAL = (38, 166, 154)
TEAL_DARK = (20, 110, 104)
CREAM = (246, 240, 226)
GOLD = (240, 184, 64)


def write_png(path, width, height, pixels):
    """pixels: list of rows of (r, g, b, a) tuples."""
    raw = bytearray()
    for row in pixels:
        raw.append(0)  # filter: none
        for r, g, b, a in row:
            raw += bytes((r, g, b, a))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    png = b"\x89PNG\r\n\x1a\n"
    png += chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(bytes(raw), 9))
    png += chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def canvas(width, height, color=(0, 0, 0, 0)):
    return [[color for _ in range(width)] for _ in range(height)]


def blend(under, over, coverage):
    """Draws `over` (rgb) with `coverage` in 0..1 onto `under` (rgba)."""
    if coverage <= 0:
        return under
    r0, g0, b0, a0 = under
    a1 = coverage
    a = a1 + (a0 / 255) * (1 - a1)
    if a == 0:
        return (0, 0, 0, 0)

    def mix(c0, c1):
        return round((c1 * a1 + c0 * (a0 / 255) * (1 - a1)) / a)

    return (mix(r0, over[0]), mix(g0, over[1]), mix(b0, over[2]), round(a * 255))


def fill(img, inside, color, samples=4):
    """Fills the shape `inside(x, y) -> bool`, antialiased by supersampling."""
    height, width = len(img), len(img[0])
    step = 1 / samples
    for y in range(height):
        for x in range(width):
            hits = 0
            for sy in range(samples):
                for sx in range(samples):
                    if inside(x + (sx + 0.5) * step, y + (sy + 0.5) * step):
                        hits += 1
            if hits:
                img[y][x] = blend(img[y][x], color, hits / samples**2)


def rounded_rect(x0, y0, x1, y1, radius):
    def inside(x, y):
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            return False
        cx = min(max(x, x0 + radius), x1 - radius)
        cy = min(max(y, y0 + radius), y1 - radius)
        return (x - cx) ** 2 + (y - cy) ** 2 <= radius**2

    return inside


def cartridge(x0, y0, w, h):
    """A game card: a rectangle with its top-right corner cut off."""
    cut = w * 0.22

    def inside(x, y):
        if not (x0 <= x <= x0 + w and y0 <= y <= y0 + h):
            return False
        return (x - (x0 + w - cut)) <= (y - y0)

    return inside


def check_mark(cx, cy, size, thickness):
    """A tick: two strokes meeting at the bottom."""
    a = (cx - size * 0.5, cy)
    b = (cx - size * 0.12, cy + size * 0.38)
    c = (cx + size * 0.55, cy - size * 0.4)

    def near(p, q, x, y):
        px, py = p
        qx, qy = q
        dx, dy = qx - px, qy - py
        t = max(0, min(1, ((x - px) * dx + (y - py) * dy) / (dx * dx + dy * dy)))
        return (x - px - t * dx) ** 2 + (y - py - t * dy) ** 2 <= (thickness / 2) ** 2

    return lambda x, y: near(a, b, x, y) or near(b, c, x, y)


# A 5x7 pixel font for the banner's title.
GLYPHS = {
    "K": ["10001", "10010", "10100", "11000", "10100", "10010", "10001"],
    "E": ["11111", "10000", "10000", "11110", "10000", "10000", "11111"],
    "P": ["11110", "10001", "10001", "11110", "10000", "10000", "10000"],
    "S": ["01111", "10000", "10000", "01110", "00001", "00001", "11110"],
    "A": ["01110", "10001", "10001", "11111", "10001", "10001", "10001"],
    "V": ["10001", "10001", "10001", "10001", "10001", "01010", "00100"],
    "N": ["10001", "11001", "10101", "10011", "10001", "10001", "10001"],
    "D": ["11110", "10001", "10001", "10001", "10001", "10001", "11110"],
    "3": ["11110", "00001", "00001", "01110", "00001", "00001", "11110"],
    "&": ["01100", "10010", "10100", "01000", "10101", "10010", "01101"],
    " ": ["00000"] * 7,
}


def text(img, string, x, y, scale, color):
    for char in string:
        for row, bits in enumerate(GLYPHS[char]):
            for col, bit in enumerate(bits):
                if bit == "1":
                    for dy in range(scale):
                        for dx in range(scale):
                            px, py = x + col * scale + dx, y + row * scale + dy
                            img[py][px] = blend(img[py][px], color, 1)
        x += 6 * scale
    return x


def draw_mark(img, x, y, size):
    """The app's mark: a cream cartridge with a teal label and a gold tick."""
    w, h = size * 0.62, size * 0.78
    cx0, cy0 = x + (size - w) / 2, y + (size - h) / 2
    fill(img, cartridge(cx0, cy0, w, h), CREAM)
    fill(img, rounded_rect(cx0 + w * 0.14, cy0 + h * 0.36, cx0 + w * 0.86, cy0 + h * 0.9, size * 0.04), TEAL)
    fill(img, check_mark(cx0 + w * 0.5, cy0 + h * 0.6, w * 0.5, size * 0.075), GOLD)


def icon():
    img = canvas(48, 48)
    fill(img, rounded_rect(1, 1, 47, 47, 8), NAVY)
    draw_mark(img, 2, 2, 44)
    write_png(os.path.join(ROOT, "icon.png"), 48, 48, img)


def banner():
    width, height = 256, 128
    img = canvas(width, height)
    # A vertical navy-to-teal gradient on a rounded card.
    for y in range(height):
        t = y / (height - 1)
        row_color = tuple(round(NAVY[i] * (1 - t) + TEAL_DARK[i] * t) for i in range(3))
        fill_row = rounded_rect(4, 8, 252, 120, 14)
        for x in range(width):
            if fill_row(x + 0.5, y + 0.5):
                img[y][x] = blend(img[y][x], row_color, 1)
    draw_mark(img, 12, 24, 80)
    end = text(img, "KEEPSAKE", 100, 40, 3, CREAM)
    assert end <= 250, end
    text(img, "NDS & 3DS SAVES", 100, 76, 1, GOLD)
    write_png(os.path.join(ROOT, "meta", "banner.png"), width, height, img)


def audio():
    """A short rising two-note chime with a soft decay, 1.2 seconds."""
    rate = 32000
    frames = bytearray()
    notes = [(0.0, 659.25), (0.18, 987.77)]  # E5 then B5
    length = 1.2
    for n in range(int(rate * length)):
        t = n / rate
        sample = 0.0
        for start, freq in notes:
            if t >= start:
                age = t - start
                envelope = min(1.0, age / 0.01) * math.exp(-age * 4.0)
                sample += 0.3 * envelope * (math.sin(2 * math.pi * freq * age) + 0.3 * math.sin(4 * math.pi * freq * age))
        frames += struct.pack("<h", max(-32767, min(32767, int(sample * 32767))))
    with wave.open(os.path.join(ROOT, "meta", "audio.wav"), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(frames))


if __name__ == "__main__":
    icon()
    banner()
    audio()
