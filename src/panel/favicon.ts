/**
 * The panel's icon (`/favicon.ico`): the header's ✗, white on its dark blue, on a rounded square. Drawn here, at
 * start, into a 32×32 ICO with one 32-bit BMP image (ICONDIR, ICONDIRENTRY, BITMAPINFOHEADER, BGRA rows bottom-up,
 * the AND mask): no binary file to ship, nothing to convert. Every browser reads it, old ones included.
 */

const SIZE = 32;
/** The header's background (#16324f). */
const BACKGROUND: readonly [number, number, number] = [0x16, 0x32, 0x4f];
/** Samples per pixel side, for smooth edges. */
const SUB = 4;

/** How much of the pixel at (x, y) the shape covers, 0..1, and how much of that is the white cross. */
function coverage(x: number, y: number): { square: number; cross: number } {
  let square = 0;
  let cross = 0;
  const radius = 6;
  const inset = 9; // where the cross's arms end, from the edge
  const half = 2.4; // half the width of an arm
  for (let i = 0; i < SUB; i++) {
    for (let j = 0; j < SUB; j++) {
      const px = x + (i + 0.5) / SUB;
      const py = y + (j + 0.5) / SUB;
      // The rounded square: inside unless in a corner beyond its radius.
      const cx = Math.min(Math.max(px, radius), SIZE - radius);
      const cy = Math.min(Math.max(py, radius), SIZE - radius);
      if ((px - cx) ** 2 + (py - cy) ** 2 > radius ** 2) continue;
      square++;
      // The two diagonals of the inner box, as segments.
      const inBox = px >= inset - half && px <= SIZE - inset + half && py >= inset - half && py <= SIZE - inset + half;
      const d1 = Math.abs(px - py) / Math.SQRT2;
      const d2 = Math.abs(px + py - SIZE) / Math.SQRT2;
      if (inBox && Math.min(d1, d2) <= half) cross++;
    }
  }
  return { square: square / (SUB * SUB), cross: cross / (SUB * SUB) };
}

/** The icon file: one 32×32 image, 32 bits per pixel. */
export function faviconIco(): Buffer {
  const pixels = Buffer.alloc(SIZE * SIZE * 4);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const { square, cross } = coverage(x, y);
      const white = square === 0 ? 0 : cross / square;
      const [r, g, b] = BACKGROUND.map((c) => Math.round(c + (255 - c) * white)) as [number, number, number];
      // BMP rows run bottom-up; each pixel is B, G, R, A.
      const at = ((SIZE - 1 - y) * SIZE + x) * 4;
      pixels[at] = b;
      pixels[at + 1] = g;
      pixels[at + 2] = r;
      pixels[at + 3] = Math.round(255 * square);
    }
  }
  const mask = Buffer.alloc((SIZE / 8) * SIZE); // all 0: the alpha channel decides
  const header = Buffer.alloc(40);
  header.writeUInt32LE(40, 0); // BITMAPINFOHEADER's size
  header.writeInt32LE(SIZE, 4);
  header.writeInt32LE(SIZE * 2, 8); // the image and its mask, stacked
  header.writeUInt16LE(1, 12); // planes
  header.writeUInt16LE(32, 14); // bits per pixel
  header.writeUInt32LE(pixels.length + mask.length, 20);
  const image = Buffer.concat([header, pixels, mask]);
  const dir = Buffer.alloc(6 + 16);
  dir.writeUInt16LE(0, 0);
  dir.writeUInt16LE(1, 2); // an icon
  dir.writeUInt16LE(1, 4); // one image
  dir.writeUInt8(SIZE, 6);
  dir.writeUInt8(SIZE, 7);
  dir.writeUInt16LE(1, 10); // planes
  dir.writeUInt16LE(32, 12); // bits per pixel
  dir.writeUInt32LE(image.length, 14);
  dir.writeUInt32LE(dir.length, 18); // where the image starts
  return Buffer.concat([dir, image]);
}
