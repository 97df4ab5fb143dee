/**
 * Where a pending proposal's region is after the document changed: moved when every change lies
 * outside it, gone (the proposal must be withdrawn) when one touches it. Pure offsets.
 */

export interface Region {
  start: number;
  end: number;
}

/** One change as VS Code reports it: offsets in the document before the event. */
export interface TextChange {
  offset: number;
  /** Characters replaced. */
  length: number;
  /** Length of the text put there. */
  insertedLength: number;
}

export function reanchorRegion(region: Region, changes: readonly TextChange[]): Region | undefined {
  let shift = 0;
  for (const c of changes) {
    const end = c.offset + c.length;
    // Typing right at either edge counts as outside: the region's own text is untouched.
    if (end <= region.start) shift += c.insertedLength - c.length;
    else if (c.offset >= region.end) continue;
    else return undefined;
  }
  return { start: region.start + shift, end: region.end + shift };
}
