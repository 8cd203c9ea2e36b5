/**
 * Sizes of the picture, in scene units (CSS pixels at zoom 1), shared by the
 * layout and both renderers.
 */
export const METRICS = {
  margin: 16,
  tokenW: 46,
  tokenH: 24,
  gap: 6,
  threadW: 40,
  threadH: 24,
  headerH: 30,
  /** The label column at the left of a lane. */
  labelW: 180,
  fontLabel: 12,
  fontToken: 11,
} as const;

const { tokenW, tokenH, gap, threadW } = METRICS;

/** Distance between neighbouring goroutine tokens. */
export const PITCH = tokenW + gap;
/** The running and runnext slots of a P. */
export const SLOT_W = tokenW + 10;
export const SLOT_H = tokenH + 10;
/** A row of tokens in a lane. */
export const ROW_H = tokenH + 8;
export const LANE_PAD = 6;
/** Room inside a P box on the left for its M, which straddles the border. */
export const P_PAD_L = threadW / 2 + 10;
export const P_H = 82;
export const P_COL_GAP = threadW;
export const P_ROW_GAP = 16;
export const UNQUEUED_LABEL_W = 124;
export const UNQUEUED_SLOTS = 3;
/** An M and its goroutine in the system-call lane. */
export const SYSCALL_PITCH = threadW + 2 + tokenW + 14;
export const THREAD_PITCH = threadW + 14;
export const MIN_WIDTH = 640;
/** Average glyph width per font pixel, to shorten labels that would overflow. */
export const GLYPH = 0.64;
