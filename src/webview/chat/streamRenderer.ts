import { renderMarkdown } from './markdown';

/**
 * Renders a streamed answer at most once per animation frame, however fast tokens arrive; a slow
 * render (a long answer) spaces renders further apart so typing in the view stays responsive.
 */
export class StreamRenderer {
  private text = '';
  private frame = 0;
  private lastRenderMs = 0;
  private lastRenderAt = 0;

  constructor(
    private readonly body: HTMLElement,
    private readonly afterRender: () => void,
  ) {}

  get value(): string {
    return this.text;
  }

  append(chunk: string): void {
    this.text += chunk;
    if (!this.frame) this.frame = requestAnimationFrame(() => this.onFrame());
  }

  /** Renders what has arrived now (the answer ended). */
  flush(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.render();
  }

  private onFrame(): void {
    this.frame = 0;
    if (performance.now() - this.lastRenderAt < this.lastRenderMs * 4) {
      this.frame = requestAnimationFrame(() => this.onFrame());
      return;
    }
    this.render();
  }

  private render(): void {
    const started = performance.now();
    this.body.replaceChildren(renderMarkdown(this.text));
    this.lastRenderAt = performance.now();
    this.lastRenderMs = this.lastRenderAt - started;
    this.afterRender();
  }
}
