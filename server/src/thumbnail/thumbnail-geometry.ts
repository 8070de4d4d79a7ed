// Where a thumbnail's pixels come from and where they go: pure arithmetic, so that it is tested without images.
// An image up to CROP_ABOVE_ASPECT (long side over short) is shown whole, letterboxed into the square. A longer one
// (a 1320x2868 phone screenshot is 2.2:1, a 586x90 banner 6.5:1) would be a sliver at icon size, so a window of
// CROPPED_ASPECT is cut from it first, along its long side, where the renderer finds the most interesting region.

export interface Size {
  width: number;
  height: number;
}

export interface Region extends Size {
  left: number;
  top: number;
}

export const CROP_ABOVE_ASPECT = 2;
export const CROPPED_ASPECT = 1.5;

/** The size of the region of a `width` x `height` image that the thumbnail shows: the whole image, or a crop window. */
export function shownSize(width: number, height: number): Size {
  if (Math.max(width, height) <= CROP_ABOVE_ASPECT * Math.min(width, height)) return { width, height };
  return width > height
    ? { width: Math.max(1, Math.round(height * CROPPED_ASPECT)), height }
    : { width, height: Math.max(1, Math.round(width * CROPPED_ASPECT)) };
}

/** The shown region scaled to fit a `side` x `side` square: its long side is `side`, its short side at least 1. */
export function fittedSize(shown: Size, side: number): Size {
  const scale = side / Math.max(shown.width, shown.height);
  return { width: Math.max(1, Math.round(shown.width * scale)), height: Math.max(1, Math.round(shown.height * scale)) };
}

/** Where the fitted region sits in the square: centred, with transparent bars on the two short sides. */
export function letterbox(fitted: Size, side: number): Region {
  return { ...fitted, left: Math.floor((side - fitted.width) / 2), top: Math.floor((side - fitted.height) / 2) };
}

/**
 * The crop window in the image's pixels, from libvips' crop offset in the image scaled to cover `fitted` (sharp
 * reports it negative), clamped inside the image.
 */
export function cropRegion(image: Size, fitted: Size, offset: { left: number; top: number }): Region {
  const scale = Math.max(fitted.width / image.width, fitted.height / image.height);
  const shown = shownSize(image.width, image.height);
  const clamp = (value: number, room: number) => Math.min(Math.max(0, Math.round(value)), room);
  return {
    ...shown,
    left: clamp(Math.abs(offset.left) / scale, image.width - shown.width),
    top: clamp(Math.abs(offset.top) / scale, image.height - shown.height),
  };
}
