// highlight.js types name only the full build; the core entry has the same API.
declare module 'highlight.js/lib/core' {
  import hljs from 'highlight.js';
  export default hljs;
}
