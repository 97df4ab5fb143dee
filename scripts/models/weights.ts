/**
 * Deterministic random tensor data for the test models: a seeded xorshift32 PRNG and chunked
 * generators for F32, F16 and Q8_0 tensors. Everything is integer / IEEE-exact, so the same seed
 * gives the same bytes on every machine.
 */

/** 32-bit FNV-1a of a string's UTF-16 code units (used to derive per-tensor seeds). */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** xorshift32 state seeded from (seed, label); never zero. */
export function seedFor(seed: number, label: string): number {
  let x = (seed ^ fnv1a(label)) >>> 0;
  if (x === 0) x = 0x9e3779b9;
  // Warm up so that similar labels diverge.
  for (let i = 0; i < 8; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
  }
  return x;
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** IEEE float32 → float16 bits, round to nearest even. */
export function toHalf(v: number): number {
  f32Scratch[0] = v;
  const x = u32Scratch[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1) === 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1) === 1)) h++; // a carry rolls into the exponent correctly
  return sign | h;
}

/** float16 bits → number. */
export function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

const halfTables = new Map<number, Uint16Array>();

/** 65536 evenly spaced f16 values covering (-scale, scale): index a u16 of randomness into it. */
function halfTable(scale: number): Uint16Array {
  let t = halfTables.get(scale);
  if (!t) {
    t = new Uint16Array(65536);
    for (let k = 0; k < 65536; k++) t[k] = toHalf(((k + 0.5) / 32768 - 1) * scale);
    halfTables.set(scale, t);
  }
  return t;
}

const CHUNK_ELEMS = 1 << 20;

/** Uniform(-scale, scale) F32 values. */
export function* uniformF32(n: number, scale: number, seed: number): Generator<Uint8Array> {
  let x = seed >>> 0;
  const buf = new Float32Array(Math.min(n, CHUNK_ELEMS));
  for (let done = 0; done < n; ) {
    const m = Math.min(buf.length, n - done);
    for (let i = 0; i < m; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      buf[i] = ((x >>> 8) * (1 / 8388608) - 1 + 1 / 16777216) * scale;
    }
    done += m;
    yield new Uint8Array(buf.buffer, 0, m * 4);
  }
}

/** n copies of one F32 value. */
export function* constF32(n: number, value: number): Generator<Uint8Array> {
  const buf = new Float32Array(Math.min(n, CHUNK_ELEMS)).fill(value);
  for (let done = 0; done < n; ) {
    const m = Math.min(buf.length, n - done);
    done += m;
    yield new Uint8Array(buf.buffer, 0, m * 4);
  }
}

/**
 * `rows` rows of `rowLen` uniform(-scale, scale) F16 values; rows flagged in `zeroRows` are all
 * zeros (the PRNG still advances over them, so other rows do not depend on the mask).
 */
export function* rowsF16(
  rows: number,
  rowLen: number,
  scale: number,
  seed: number,
  zeroRows?: Uint8Array,
): Generator<Uint8Array> {
  if (rowLen % 2 !== 0) throw new Error('rowsF16: rowLen must be even');
  const table = halfTable(scale);
  let x = seed >>> 0;
  const rowsPerChunk = Math.max(1, Math.floor(CHUNK_ELEMS / rowLen));
  const buf = new Uint16Array(Math.min(rows, rowsPerChunk) * rowLen);
  for (let r0 = 0; r0 < rows; ) {
    const nr = Math.min(rowsPerChunk, rows - r0);
    let o = 0;
    for (let r = 0; r < nr; r++) {
      const zero = zeroRows !== undefined && zeroRows[r0 + r] === 1;
      for (let i = 0; i < rowLen; i += 2) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        x >>>= 0;
        if (zero) {
          buf[o++] = 0;
          buf[o++] = 0;
        } else {
          buf[o++] = table[x & 0xffff];
          buf[o++] = table[x >>> 16];
        }
      }
    }
    r0 += nr;
    yield new Uint8Array(buf.buffer, 0, o * 2);
  }
}

/**
 * Q8_0 rows (blocks of 32: f16 scale d, then 32 int8 q; value = d·q) with q uniform in
 * [-127, 127] and d = scale/127, i.e. values uniform-ish in [-scale, scale]. Rows in `zeroRows`
 * are all zeros (d = 0, q = 0).
 */
export function* rowsQ8_0(
  rows: number,
  rowLen: number,
  scale: number,
  seed: number,
  zeroRows?: Uint8Array,
): Generator<Uint8Array> {
  if (rowLen % 32 !== 0) throw new Error('rowsQ8_0: rowLen must be a multiple of 32');
  const d = toHalf(scale / 127);
  const blocksPerRow = rowLen / 32;
  const rowBytes = blocksPerRow * 34;
  let x = seed >>> 0;
  const rowsPerChunk = Math.max(1, Math.floor((4 << 20) / rowBytes));
  const buf = new Uint8Array(Math.min(rows, rowsPerChunk) * rowBytes);
  for (let r0 = 0; r0 < rows; ) {
    const nr = Math.min(rowsPerChunk, rows - r0);
    let o = 0;
    for (let r = 0; r < nr; r++) {
      const zero = zeroRows !== undefined && zeroRows[r0 + r] === 1;
      for (let b = 0; b < blocksPerRow; b++) {
        buf[o++] = zero ? 0 : d & 0xff;
        buf[o++] = zero ? 0 : d >>> 8;
        for (let i = 0; i < 32; i += 4) {
          x ^= x << 13;
          x ^= x >>> 17;
          x ^= x << 5;
          x >>>= 0;
          for (let k = 0; k < 4; k++) {
            // byte → [-127, 127] as int8 two's complement
            const q = zero ? 0 : (((((x >>> (8 * k)) & 0xff) * 255) >>> 8) - 127) & 0xff;
            buf[o++] = q;
          }
        }
      }
    }
    r0 += nr;
    yield buf.subarray(0, o);
  }
}
