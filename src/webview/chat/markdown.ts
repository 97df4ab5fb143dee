/**
 * Model output is untrusted: Markdown is rendered by markdown-it with raw HTML off, then the
 * result goes through DOMPurify with a short allowlist, and only then into an inert <template>.
 * Links never keep an `href`: an http(s) link becomes a focusable element the host opens after a
 * click; any other scheme becomes plain text. Images become text (no request leaves the view).
 */
import DOMPurify from 'dompurify';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import csharp from 'highlight.js/lib/languages/csharp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';
import MarkdownIt from 'markdown-it';
import { isWebUrl } from '../../chat/messages';

// A few common languages keep the bundle small; other fences render as plain code.
for (const [name, lang] of Object.entries({ bash, c, cpp, csharp, css, diff, go, java, javascript, json, python, rust, sql, typescript, xml, yaml })) {
  hljs.registerLanguage(name, lang);
}

const md = new MarkdownIt({
  html: false,
  linkify: false,
  typographer: false,
  highlight: (code, lang) => {
    const language = lang && hljs.getLanguage(lang) ? lang : undefined;
    return language ? hljs.highlight(code, { language, ignoreIllegals: true }).value : '';
  },
});
md.renderer.rules.image = (tokens, idx) => md.utils.escapeHtml(`[image: ${tokens[idx].content || tokens[idx].attrGet('src') || ''}]`);

const purify = {
  ALLOWED_TAGS: ['p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'em', 's', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'span'],
  ALLOWED_ATTR: ['class', 'href', 'title', 'start'],
  ALLOWED_URI_REGEXP: /^https?:\/\//i,
  ALLOW_DATA_ATTR: false,
};

/** Markdown → a sanitized fragment with code-block toolbars and host-opened links. */
export function renderMarkdown(text: string): DocumentFragment {
  const template = document.createElement('template');
  template.innerHTML = DOMPurify.sanitize(md.render(text), purify);
  const root = template.content;
  for (const a of Array.from(root.querySelectorAll('a'))) replaceLink(a);
  for (const pre of Array.from(root.querySelectorAll('pre'))) decorateCodeBlock(pre);
  return root;
}

function replaceLink(a: HTMLAnchorElement): void {
  const href = a.getAttribute('href') ?? '';
  if (!isWebUrl(href)) {
    a.replaceWith(...Array.from(a.childNodes));
    return;
  }
  const link = document.createElement('span');
  link.className = 'link';
  link.dataset.href = href;
  link.title = `${href} (opens in the browser)`;
  link.tabIndex = 0;
  link.setAttribute('role', 'link');
  link.append(...Array.from(a.childNodes));
  a.replaceWith(link);
}

const codeButtons: [action: string, label: string, description: string][] = [
  ['copy', 'Copy', 'Copy the code'],
  ['insert', 'Insert', 'Insert the code at the cursor in the editor'],
  ['applyDiff', 'Apply…', 'Show the code as a diff against the editor’s file (the selection, or the whole file), then accept or discard it'],
];

function decorateCodeBlock(pre: HTMLPreElement): void {
  const language = /language-([\w+#.-]+)/.exec(pre.querySelector('code')?.className ?? '')?.[1] ?? '';
  const block = document.createElement('div');
  block.className = 'code-block';
  const bar = document.createElement('div');
  bar.className = 'code-toolbar';
  bar.setAttribute('role', 'toolbar');
  bar.setAttribute('aria-label', `${language || 'Code'} block`);
  const name = document.createElement('span');
  name.className = 'code-language';
  name.textContent = language;
  bar.append(name);
  for (const [action, label, description] of codeButtons) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'secondary';
    button.dataset.codeAction = action;
    button.textContent = label;
    button.title = description;
    button.setAttribute('aria-label', description);
    bar.append(button);
  }
  pre.tabIndex = 0; // long lines scroll sideways: keyboard users need focus to scroll
  pre.replaceWith(block);
  block.append(bar, pre);
}
