/**
 * Sizes of the picture, in scene units. The live view draws at zoom 1, so a
 * scene unit is a CSS pixel: these numbers are what the learner reads, and no
 * text in the picture is under 11 px.
 */
export const METRICS = {
  margin: 12,
  /** A goroutine token: room for "g12 worker" at the token font. */
  tokenW: 96,
  tokenH: 26,
  /** Runtime goroutines are drawn lower, so the learner's own stand out. */
  runtimeH: 20,
  gap: 6,
  threadW: 44,
  threadH: 28,
  headerH: 26,
  /** The label column at the left of a lane. */
  labelW: 176,
  fontLabel: 13,
  fontToken: 12,
  /** The smallest text anywhere in the picture. */
  fontSmall: 11,
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
export const P_H = 92;
export const P_COL_GAP = threadW;
export const P_ROW_GAP = 14;
/** Room in a P box before its local queue: M, running slot, runnext slot. */
export const P_FIXED_W = P_PAD_L + SLOT_W + 10 + SLOT_W + 14 + 12;
/** The narrowest P box with its local queue beside its slots: three queued goroutines. */
export const MIN_PROC_W = P_FIXED_W + 3 * PITCH - METRICS.gap + 12;
/**
 * A narrow picture puts each P's local queue under its slots (a "tall" P):
 * the narrowest such box holds the two slots side by side.
 */
export const MIN_TALL_PROC_W = P_PAD_L + 2 * SLOT_W + 10 + 12;
export const P_H_TALL = P_H + SLOT_H + 20;
export const UNQUEUED_SLOTS = 3;
/** An M and its goroutine in the system-call lane. */
export const SYSCALL_PITCH = threadW + 2 + tokenW + 14;
/** An M without a P and its caption ("spinning"). */
export const THREAD_PITCH = threadW + 30;
/** The narrowest picture; a narrower output scrolls sideways. */
export const MIN_WIDTH = MIN_TALL_PROC_W + 2 * 12 + threadW / 2;
/** The width of the standalone SVG and of a picture drawn before its host is measured. */
export const DEFAULT_WIDTH = 720;
/** Average glyph width per font pixel, to shorten labels that would overflow. */
export const GLYPH = 0.6;
