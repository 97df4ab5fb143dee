/**
 * Minimal GGUF v3 reader and streaming writer (test tooling only).
 *
 * Format (little endian):
 *   magic "GGUF", u32 version, u64 tensor_count, u64 kv_count,
 *   kv_count × { string key, u32 value_type, value },
 *   tensor_count × { string name, u32 n_dims, u64 dims[n_dims], u32 ggml_type, u64 offset },
 *   padding to `general.alignment` (default 32), tensor data (each tensor aligned).
 * Strings are u64 length + UTF-8 bytes. Arrays are u32 item_type + u64 count + items.
 */
import * as fs from 'node:fs';
import { createHash } from 'node:crypto';

export enum GGUFValueType {
  UINT8 = 0,
  INT8 = 1,
  UINT16 = 2,
  INT16 = 3,
  UINT32 = 4,
  INT32 = 5,
  FLOAT32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
  UINT64 = 10,
  INT64 = 11,
  FLOAT64 = 12,
}

/** ggml tensor types this module knows the block layout of. */
export enum GGMLType {
  F32 = 0,
  F16 = 1,
  Q8_0 = 8,
}

/** A GGUF string; a Uint8Array only when the stored bytes are not valid UTF-8. */
export type GGUFString = string | Uint8Array;
export type GGUFArrayItem = number | bigint | boolean | GGUFString | GGUFArrayValue;

export interface GGUFArrayValue {
  type: GGUFValueType.ARRAY;
  itemType: GGUFValueType;
  value: GGUFArrayItem[];
}

export type GGUFValue =
  | {
      type:
        | GGUFValueType.UINT8
        | GGUFValueType.INT8
        | GGUFValueType.UINT16
        | GGUFValueType.INT16
        | GGUFValueType.UINT32
        | GGUFValueType.INT32
        | GGUFValueType.FLOAT32
        | GGUFValueType.FLOAT64;
      value: number;
    }
  | { type: GGUFValueType.UINT64 | GGUFValueType.INT64; value: bigint }
  | { type: GGUFValueType.BOOL; value: boolean }
  | { type: GGUFValueType.STRING; value: GGUFString }
  | GGUFArrayValue;

/** Ordered metadata (insertion order is the on-disk order). */
export type GGUFMetadata = Map<string, GGUFValue>;

export interface GGUFTensorInfo {
  name: string;
  /** ne[0] first (the contiguous dimension), as in ggml. */
  dims: number[];
  type: GGMLType | number;
  /** Offset relative to the start of the tensor data section. */
  offset: number;
}

export interface GGUFFile {
  version: number;
  metadata: GGUFMetadata;
  tensors: GGUFTensorInfo[];
  alignment: number;
  /** Absolute file offset of the tensor data section. */
  dataOffset: number;
}

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as little-endian u32
export const GGUF_DEFAULT_ALIGNMENT = 32;

const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

// ---------------------------------------------------------------------------
// Value helpers

export const gguf = {
  u8: (value: number): GGUFValue => ({ type: GGUFValueType.UINT8, value }),
  i8: (value: number): GGUFValue => ({ type: GGUFValueType.INT8, value }),
  u16: (value: number): GGUFValue => ({ type: GGUFValueType.UINT16, value }),
  i16: (value: number): GGUFValue => ({ type: GGUFValueType.INT16, value }),
  u32: (value: number): GGUFValue => ({ type: GGUFValueType.UINT32, value }),
  i32: (value: number): GGUFValue => ({ type: GGUFValueType.INT32, value }),
  f32: (value: number): GGUFValue => ({ type: GGUFValueType.FLOAT32, value }),
  f64: (value: number): GGUFValue => ({ type: GGUFValueType.FLOAT64, value }),
  u64: (value: bigint | number): GGUFValue => ({ type: GGUFValueType.UINT64, value: BigInt(value) }),
  i64: (value: bigint | number): GGUFValue => ({ type: GGUFValueType.INT64, value: BigInt(value) }),
  bool: (value: boolean): GGUFValue => ({ type: GGUFValueType.BOOL, value }),
  str: (value: GGUFString): GGUFValue => ({ type: GGUFValueType.STRING, value }),
  arr: (itemType: GGUFValueType, value: GGUFArrayItem[]): GGUFArrayValue => ({
    type: GGUFValueType.ARRAY,
    itemType,
    value,
  }),
};

/** Bytes per block and elements per block of a ggml type. */
export function ggmlTypeBlock(type: GGMLType | number): { blockSize: number; typeSize: number } {
  switch (type) {
    case GGMLType.F32:
      return { blockSize: 1, typeSize: 4 };
    case GGMLType.F16:
      return { blockSize: 1, typeSize: 2 };
    case GGMLType.Q8_0:
      return { blockSize: 32, typeSize: 34 };
    default:
      throw new Error(`gguf: unsupported ggml type ${type}`);
  }
}

export function tensorByteSize(type: GGMLType | number, dims: readonly number[]): number {
  const { blockSize, typeSize } = ggmlTypeBlock(type);
  const n = dims.reduce((a, b) => a * b, 1);
  if (dims[0] % blockSize !== 0) {
    throw new Error(`gguf: ne[0]=${dims[0]} is not a multiple of the block size ${blockSize}`);
  }
  return (n / blockSize) * typeSize;
}

export function alignUp(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}

// ---------------------------------------------------------------------------
// Reader

class OutOfData extends Error {}

class Cursor {
  pos = 0;
  private readonly view: DataView;
  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  private need(n: number): void {
    if (this.pos + n > this.buf.byteLength) throw new OutOfData(`gguf: unexpected end of data at ${this.pos}`);
  }
  u8(): number {
    this.need(1);
    return this.view.getUint8(this.pos++);
  }
  i8(): number {
    this.need(1);
    return this.view.getInt8(this.pos++);
  }
  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }
  i16(): number {
    this.need(2);
    const v = this.view.getInt16(this.pos, true);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  i32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }
  f32(): number {
    this.need(4);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }
  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }
  u64(): bigint {
    this.need(8);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }
  i64(): bigint {
    this.need(8);
    const v = this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    return v;
  }
  /** u64 that must fit in a JS number. */
  size(): number {
    const v = this.u64();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`gguf: size ${v} too large`);
    return Number(v);
  }
  str(): GGUFString {
    const len = this.size();
    this.need(len);
    const bytes = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    try {
      return utf8Fatal.decode(bytes);
    } catch {
      return bytes.slice();
    }
  }
}

function readScalar(c: Cursor, type: GGUFValueType): GGUFArrayItem {
  switch (type) {
    case GGUFValueType.UINT8:
      return c.u8();
    case GGUFValueType.INT8:
      return c.i8();
    case GGUFValueType.UINT16:
      return c.u16();
    case GGUFValueType.INT16:
      return c.i16();
    case GGUFValueType.UINT32:
      return c.u32();
    case GGUFValueType.INT32:
      return c.i32();
    case GGUFValueType.FLOAT32:
      return c.f32();
    case GGUFValueType.FLOAT64:
      return c.f64();
    case GGUFValueType.UINT64:
      return c.u64();
    case GGUFValueType.INT64:
      return c.i64();
    case GGUFValueType.BOOL: {
      const b = c.u8();
      if (b > 1) throw new Error(`gguf: invalid bool byte ${b}`);
      return b === 1;
    }
    case GGUFValueType.STRING:
      return c.str();
    case GGUFValueType.ARRAY: {
      const itemType = c.u32() as GGUFValueType;
      const n = c.size();
      const value: GGUFArrayItem[] = new Array(n);
      for (let i = 0; i < n; i++) value[i] = readScalar(c, itemType);
      return { type: GGUFValueType.ARRAY, itemType, value };
    }
    default:
      throw new Error(`gguf: unknown value type ${type as number}`);
  }
}

function readValue(c: Cursor): GGUFValue {
  const type = c.u32() as GGUFValueType;
  const v = readScalar(c, type);
  if (type === GGUFValueType.ARRAY) return v as GGUFArrayValue;
  return { type, value: v } as GGUFValue;
}

/** Parse a GGUF header (metadata + tensor infos) from a buffer holding at least the header. */
export function parseGGUF(buf: Uint8Array): GGUFFile {
  const c = new Cursor(buf);
  const magic = c.u32();
  if (magic !== GGUF_MAGIC) throw new Error('gguf: bad magic (not a GGUF file)');
  const version = c.u32();
  if (version !== 2 && version !== 3) throw new Error(`gguf: unsupported version ${version}`);
  const tensorCount = c.size();
  const kvCount = c.size();
  const metadata: GGUFMetadata = new Map();
  for (let i = 0; i < kvCount; i++) {
    const key = c.str();
    if (typeof key !== 'string') throw new Error('gguf: metadata key is not valid UTF-8');
    metadata.set(key, readValue(c));
  }
  const tensors: GGUFTensorInfo[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = c.str();
    if (typeof name !== 'string') throw new Error('gguf: tensor name is not valid UTF-8');
    const nDims = c.u32();
    const dims: number[] = [];
    for (let d = 0; d < nDims; d++) dims.push(c.size());
    const type = c.u32();
    const offset = c.size();
    tensors.push({ name, dims, type, offset });
  }
  const alignMeta = metadata.get('general.alignment');
  const alignment =
    alignMeta && alignMeta.type === GGUFValueType.UINT32 ? alignMeta.value : GGUF_DEFAULT_ALIGNMENT;
  return { version, metadata, tensors, alignment, dataOffset: alignUp(c.pos, alignment) };
}

/** Read a GGUF file's header without reading its tensor data (reads growing prefixes). */
export function readGGUFHeader(file: string): GGUFFile {
  const fd = fs.openSync(file, 'r');
  try {
    const total = fs.fstatSync(fd).size;
    let len = Math.min(total, 8 << 20);
    for (;;) {
      const buf = Buffer.alloc(len);
      fs.readSync(fd, buf, 0, len, 0);
      try {
        return parseGGUF(buf);
      } catch (e) {
        if (!(e instanceof OutOfData) || len >= total) throw e;
        len = Math.min(total, len * 4);
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Read a GGUF tensor's raw bytes. */
export function readTensorData(file: string, header: GGUFFile, name: string): Buffer {
  const t = header.tensors.find((x) => x.name === name);
  if (!t) throw new Error(`gguf: no tensor ${name}`);
  const size = tensorByteSize(t.type, t.dims);
  const buf = Buffer.alloc(size);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, buf, 0, size, header.dataOffset + t.offset);
  } finally {
    fs.closeSync(fd);
  }
  return buf;
}

// ---------------------------------------------------------------------------
// Writer

/** Growable little-endian byte builder for the header. */
class ByteBuilder {
  private buf = Buffer.alloc(1 << 16);
  length = 0;
  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = Buffer.alloc(cap);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
  u8(v: number): void {
    this.ensure(1);
    this.buf.writeUInt8(v, this.length);
    this.length += 1;
  }
  i8(v: number): void {
    this.ensure(1);
    this.buf.writeInt8(v, this.length);
    this.length += 1;
  }
  u16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16LE(v, this.length);
    this.length += 2;
  }
  i16(v: number): void {
    this.ensure(2);
    this.buf.writeInt16LE(v, this.length);
    this.length += 2;
  }
  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v, this.length);
    this.length += 4;
  }
  i32(v: number): void {
    this.ensure(4);
    this.buf.writeInt32LE(v, this.length);
    this.length += 4;
  }
  f32(v: number): void {
    this.ensure(4);
    this.buf.writeFloatLE(v, this.length);
    this.length += 4;
  }
  f64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.length);
    this.length += 8;
  }
  u64(v: bigint | number): void {
    this.ensure(8);
    this.buf.writeBigUInt64LE(BigInt(v), this.length);
    this.length += 8;
  }
  i64(v: bigint | number): void {
    this.ensure(8);
    this.buf.writeBigInt64LE(BigInt(v), this.length);
    this.length += 8;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  str(s: GGUFString): void {
    const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
    this.u64(b.length);
    this.bytes(b);
  }
  zeros(n: number): void {
    this.ensure(n);
    this.buf.fill(0, this.length, this.length + n);
    this.length += n;
  }
  result(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

function expectNumber(v: GGUFArrayItem, what: string): number {
  if (typeof v !== 'number') throw new Error(`gguf: ${what} must be a number`);
  return v;
}

function writeScalar(b: ByteBuilder, type: GGUFValueType, v: GGUFArrayItem): void {
  switch (type) {
    case GGUFValueType.UINT8:
      return b.u8(expectNumber(v, 'uint8'));
    case GGUFValueType.INT8:
      return b.i8(expectNumber(v, 'int8'));
    case GGUFValueType.UINT16:
      return b.u16(expectNumber(v, 'uint16'));
    case GGUFValueType.INT16:
      return b.i16(expectNumber(v, 'int16'));
    case GGUFValueType.UINT32:
      return b.u32(expectNumber(v, 'uint32'));
    case GGUFValueType.INT32:
      return b.i32(expectNumber(v, 'int32'));
    case GGUFValueType.FLOAT32:
      return b.f32(expectNumber(v, 'float32'));
    case GGUFValueType.FLOAT64:
      return b.f64(expectNumber(v, 'float64'));
    case GGUFValueType.UINT64:
    case GGUFValueType.INT64:
      if (typeof v !== 'bigint' && typeof v !== 'number') throw new Error('gguf: 64-bit int expected');
      return type === GGUFValueType.UINT64 ? b.u64(v) : b.i64(v);
    case GGUFValueType.BOOL:
      if (typeof v !== 'boolean') throw new Error('gguf: bool expected');
      return b.u8(v ? 1 : 0);
    case GGUFValueType.STRING:
      if (typeof v !== 'string' && !(v instanceof Uint8Array)) throw new Error('gguf: string expected');
      return b.str(v);
    case GGUFValueType.ARRAY: {
      if (typeof v !== 'object' || v instanceof Uint8Array || v.type !== GGUFValueType.ARRAY) {
        throw new Error('gguf: array expected');
      }
      b.u32(v.itemType);
      b.u64(v.value.length);
      for (const item of v.value) writeScalar(b, v.itemType, item);
      return;
    }
    default:
      throw new Error(`gguf: unknown value type ${type as number}`);
  }
}

function encodeValue(b: ByteBuilder, v: GGUFValue): void {
  b.u32(v.type);
  writeScalar(b, v.type, v.type === GGUFValueType.ARRAY ? v : v.value);
}

/**
 * A tensor to write. `data` yields its bytes in order (any chunking); the total must equal
 * the size implied by `type` and `dims`.
 */
export interface GGUFTensorSpec {
  name: string;
  dims: number[];
  type: GGMLType;
  data: () => Iterable<Uint8Array>;
}

export interface WriteResult {
  size: number;
  sha256: string;
}

/** Serialize the header (magic .. tensor infos, padded to alignment). */
export function encodeHeader(
  metadata: GGUFMetadata,
  tensors: readonly Pick<GGUFTensorSpec, 'name' | 'dims' | 'type'>[],
  alignment = GGUF_DEFAULT_ALIGNMENT,
): { header: Buffer; offsets: number[]; sizes: number[] } {
  const b = new ByteBuilder();
  b.u32(GGUF_MAGIC);
  b.u32(3);
  b.u64(tensors.length);
  b.u64(metadata.size);
  for (const [key, value] of metadata) {
    b.str(key);
    encodeValue(b, value);
  }
  const offsets: number[] = [];
  const sizes: number[] = [];
  let offset = 0;
  for (const t of tensors) {
    const size = tensorByteSize(t.type, t.dims);
    offsets.push(offset);
    sizes.push(size);
    b.str(t.name);
    b.u32(t.dims.length);
    for (const d of t.dims) b.u64(d);
    b.u32(t.type);
    b.u64(offset);
    offset = alignUp(offset + size, alignment);
  }
  b.zeros(alignUp(b.length, alignment) - b.length);
  return { header: Buffer.from(b.result()), offsets, sizes };
}

/**
 * Stream a GGUF file to `file` (written to a temp file in the same folder, fsynced, then renamed
 * into place). Returns the final size and sha256 (computed while writing).
 */
export function writeGGUF(
  file: string,
  metadata: GGUFMetadata,
  tensors: readonly GGUFTensorSpec[],
  alignment = GGUF_DEFAULT_ALIGNMENT,
): WriteResult {
  const alignMeta = metadata.get('general.alignment');
  if (alignMeta && (alignMeta.type !== GGUFValueType.UINT32 || alignMeta.value !== alignment)) {
    throw new Error('gguf: general.alignment metadata disagrees with the alignment argument');
  }
  if (!alignMeta && alignment !== GGUF_DEFAULT_ALIGNMENT) {
    throw new Error('gguf: a non-default alignment needs general.alignment in the metadata');
  }
  const { header, sizes } = encodeHeader(metadata, tensors, alignment);
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  const hash = createHash('sha256');
  const fd = fs.openSync(tmp, 'w');
  let pos = 0;
  // Coalesce small chunks into 4 MiB writes.
  const out = Buffer.alloc(4 << 20);
  let outLen = 0;
  const flush = (): void => {
    if (outLen === 0) return;
    const view = out.subarray(0, outLen);
    hash.update(view);
    let off = 0;
    while (off < outLen) off += fs.writeSync(fd, view, off, outLen - off);
    outLen = 0;
  };
  const put = (chunk: Uint8Array): void => {
    pos += chunk.length;
    let off = 0;
    while (off < chunk.length) {
      const n = Math.min(out.length - outLen, chunk.length - off);
      out.set(chunk.subarray(off, off + n), outLen);
      outLen += n;
      off += n;
      if (outLen === out.length) flush();
    }
  };
  try {
    put(header);
    tensors.forEach((t, i) => {
      const start = pos;
      for (const chunk of t.data()) put(chunk);
      const written = pos - start;
      if (written !== sizes[i]) {
        throw new Error(`gguf: tensor ${t.name} wrote ${written} bytes, expected ${sizes[i]}`);
      }
      // ggml's own writer pads every tensor, the last one included.
      put(new Uint8Array(alignUp(pos, alignment) - pos));
    });
    flush();
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, file);
  } catch (e) {
    try {
      fs.closeSync(fd);
    } catch {
      /* already closed */
    }
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  return { size: pos, sha256: hash.digest('hex') };
}

/** Metadata value as a plain JS value (for assertions / debugging). */
export function metaPlain(v: GGUFValue | undefined): unknown {
  if (!v) return undefined;
  return v.value;
}
