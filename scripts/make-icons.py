#!/usr/bin/env python3
"""Draws OathDesk's icon and writes the files the Tauri bundler wants.

The design is our own: a deep-teal rounded square holding a white shield,
with six teal dots on the shield for the six digits of a one-time code.
Every shape is a signed distance field, so each size is drawn directly
(not scaled down from a big one) with one-pixel anti-aliased edges.

Writes, into src-tauri/icons (or the directory given as the only argument):
  32x32.png, 128x128.png, 128x128@2x.png (256), icon.png (512),
  icon.ico  (PNG entries: 16, 24, 32, 48, 64, 256),
  icon.icns (PNG entries: 16, 32, 64, 128, 256, 512, 1024).

Python 3 standard library only (zlib and struct write the containers).
The output is deterministic: the same script gives the same bytes.
"""

import math
import os
import struct
import sys
import zlib

# Colours, straight (not premultiplied) RGB.
TEAL = (0x0B, 0x5E, 0x63)       # the square
TEAL_DARK = (0x07, 0x45, 0x49)  # the square's lower edge (a faint vertical gradient)
WHITE = (0xFF, 0xFF, 0xFF)      # the shield
DOT = (0x0B, 0x5E, 0x63)        # the code dots, the square's teal

# Geometry in unit coordinates: (0, 0) top left, (1, 1) bottom right.
SQUARE_MARGIN = 0.06
SQUARE_RADIUS = 0.19
SHIELD_CX = 0.5
SHIELD_TOP = 0.20        # where the shield's shoulders are
SHIELD_DIP = 0.035       # how far the top edge dips at the middle
SHIELD_HALF = 0.235      # half width of the shield's straight part
SHIELD_WAIST = 0.50      # where the sides start to curve in
SHIELD_TIP = 0.84        # the point at the bottom
DOT_R = 0.036
DOT_ROWS = (0.375, 0.525)
DOT_COLS = (0.405, 0.5, 0.595)


def sd_round_square(x, y):
    """Signed distance to the rounded square (negative inside)."""
    half = 0.5 - SQUARE_MARGIN
    qx = abs(x - 0.5) - (half - SQUARE_RADIUS)
    qy = abs(y - 0.5) - (half - SQUARE_RADIUS)
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    inside = min(max(qx, qy), 0.0)
    return outside + inside - SQUARE_RADIUS


def shield_half_width(y):
    """Half width of the shield at height y (0 outside its height)."""
    if y < SHIELD_WAIST:
        return SHIELD_HALF
    t = (y - SHIELD_WAIST) / (SHIELD_TIP - SHIELD_WAIST)
    if t >= 1.0:
        return 0.0
    # A curve that leaves the straight side smoothly and meets at a point.
    return SHIELD_HALF * (1.0 - t * t) ** 0.85


def shield_top(x):
    """The top edge: shoulders at SHIELD_TOP, dipping towards the middle."""
    u = min(abs(x - SHIELD_CX) / SHIELD_HALF, 1.0)
    return SHIELD_TOP + SHIELD_DIP * (1.0 - u * u)


def sd_shield(x, y):
    """Approximate signed distance to the shield: the larger of the distances
    past its sides, its top and its tip, good enough for a one-pixel edge."""
    d_side = abs(x - SHIELD_CX) - shield_half_width(y)
    # The sides slope near the tip: scale by the slope so the edge stays
    # about one pixel wide there too.
    if y > SHIELD_WAIST:
        dy = 1e-4
        slope = (shield_half_width(y - dy) - shield_half_width(y + dy)) / (2 * dy)
        d_side /= math.sqrt(1.0 + slope * slope)
    d_top = shield_top(x) - y
    d_tip = y - SHIELD_TIP
    return max(d_side, d_top, d_tip)


def sd_dots(x, y):
    best = 1e9
    for cy in DOT_ROWS:
        for cx in DOT_COLS:
            best = min(best, math.hypot(x - cx, y - cy) - DOT_R)
    return best


def coverage(d, px):
    """Fraction of a pixel of width px covered by a shape at distance d."""
    c = 0.5 - d / px
    return 0.0 if c <= 0.0 else 1.0 if c >= 1.0 else c


def over(dst, src, a):
    """src (RGB, alpha a) over dst (RGBA, straight alpha)."""
    dr, dg, db, da = dst
    oa = a + da * (1.0 - a)
    if oa <= 0.0:
        return (0.0, 0.0, 0.0, 0.0)
    f = da * (1.0 - a)
    return (
        (src[0] * a + dr * f) / oa,
        (src[1] * a + dg * f) / oa,
        (src[2] * a + db * f) / oa,
        oa,
    )


def render(size):
    """RGBA rows (bytes) of the icon at size x size pixels."""
    px = 1.0 / size
    rows = []
    for j in range(size):
        y = (j + 0.5) * px
        g = min(max((y - SQUARE_MARGIN) / (1.0 - 2 * SQUARE_MARGIN), 0.0), 1.0)
        back = tuple(TEAL[k] + (TEAL_DARK[k] - TEAL[k]) * g for k in range(3))
        row = bytearray()
        for i in range(size):
            x = (i + 0.5) * px
            pix = (0.0, 0.0, 0.0, 0.0)
            a = coverage(sd_round_square(x, y), px)
            if a > 0.0:
                pix = over(pix, back, a)
                s = coverage(sd_shield(x, y), px)
                if s > 0.0:
                    pix = over(pix, WHITE, s * a)
                    d = coverage(sd_dots(x, y), px)
                    if d > 0.0:
                        pix = over(pix, DOT, d * s * a)
            r, g2, b, al = pix
            row += bytes((
                int(round(r)), int(round(g2)), int(round(b)),
                int(round(al * 255.0)),
            ))
        rows.append(bytes(row))
    return rows


def png(size, rows):
    """A PNG file: 8-bit RGBA, no interlace, filter 0 on every row."""
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + r for r in rows)
    ihdr = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def ico(images):
    """An ICO file whose entries are PNGs (Windows Vista and later).
    images: list of (size, png bytes), smallest first."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    entries, data = b"", b""
    for size, blob in images:
        dim = 0 if size >= 256 else size  # 0 means 256 in the directory
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(blob), offset)
        data += blob
        offset += len(blob)
    return header + entries + data


# ICNS element types that hold PNG data, by pixel size.
ICNS_TYPES = [
    (b"icp4", 16),
    (b"icp5", 32),
    (b"ic11", 32),   # 16@2x
    (b"icp6", 64),
    (b"ic12", 64),   # 32@2x
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic13", 256),  # 128@2x
    (b"ic09", 512),
    (b"ic14", 512),  # 256@2x
    (b"ic10", 1024), # 512@2x
]


def icns(pngs):
    """An ICNS file: 'icns' + total length, then (type, length, PNG) elements."""
    body = b""
    for kind, size in ICNS_TYPES:
        blob = pngs[size]
        body += kind + struct.pack(">I", 8 + len(blob)) + blob
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "src-tauri", "icons")
    os.makedirs(out, exist_ok=True)

    sizes = sorted({16, 24, 32, 48, 64, 128, 256, 512, 1024})
    pngs = {s: png(s, render(s)) for s in sizes}

    files = {
        "32x32.png": pngs[32],
        "128x128.png": pngs[128],
        "128x128@2x.png": pngs[256],
        "icon.png": pngs[512],
        "icon.ico": ico([(s, pngs[s]) for s in (16, 24, 32, 48, 64, 256)]),
        "icon.icns": icns(pngs),
    }
    for name, blob in files.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(blob)
        print(f"{name}: {len(blob)} bytes")


if __name__ == "__main__":
    main()
