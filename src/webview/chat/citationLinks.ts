import { findCitations, locationLabel, type SourceLocation } from '../../chat/citations';

/**
 * A focusable link that asks the host to open a workspace file at a line. It holds only a
 * path and numbers (never a URI); the host opens it only if it is a file of the workspace.
 */
export function locationLink(location: SourceLocation, text = locationLabel(location)): HTMLElement {
  const link = document.createElement('span');
  link.classList.add('citation');
  markLocation(link, location);
  link.title = `Open ${locationLabel(location)}`;
  link.textContent = text;
  return link;
}

/** Makes `element` a link to `location` (the chat page's click and key handlers read these attributes). */
export function markLocation(element: HTMLElement, location: SourceLocation): void {
  element.classList.add('link');
  element.dataset.citePath = location.path;
  element.dataset.citeLine = String(location.line);
  if (location.endLine !== undefined) element.dataset.citeEndLine = String(location.endLine);
  element.tabIndex = 0;
  element.setAttribute('role', 'link');
}

/** What a clicked citation link holds. */
export function locationOf(link: HTMLElement): SourceLocation | undefined {
  const { citePath: path, citeLine, citeEndLine } = link.dataset;
  if (!path || !citeLine) return undefined;
  return { path, line: Number(citeLine), endLine: citeEndLine ? Number(citeEndLine) : undefined };
}

/**
 * Turns the `path:line` mentions in a rendered answer into links, for the paths the host found in
 * the workspace. Inline code counts (`src/a.ts:12` in backticks is how models write it); code blocks
 * and existing links do not.
 */
export function linkCitations(body: HTMLElement, paths: ReadonlySet<string>): void {
  const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) => (node.parentElement?.closest('pre, .link') ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
  });
  const nodes: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n as Text);
  for (const node of nodes) {
    const found = findCitations(node.data).filter((c) => paths.has(c.path));
    if (found.length === 0) continue;
    const parts: Node[] = [];
    let at = 0;
    for (const c of found) {
      parts.push(document.createTextNode(node.data.slice(at, c.index)));
      parts.push(locationLink(c, node.data.slice(c.index, c.index + c.length)));
      at = c.index + c.length;
    }
    parts.push(document.createTextNode(node.data.slice(at)));
    node.replaceWith(...parts);
  }
}

/** "Sources": the workspace code sent with the question, each a link (what Copilot calls "used N references"). */
export function sourcesList(sources: readonly SourceLocation[]): HTMLElement {
  const box = document.createElement('div');
  box.className = 'sources';
  box.setAttribute('role', 'group');
  box.setAttribute('aria-label', 'Sources');
  const title = document.createElement('span');
  title.className = 'sources-title';
  title.textContent = `Sources (${sources.length}):`;
  box.append(title);
  for (const s of sources) box.append(' ', locationLink(s));
  return box;
}
