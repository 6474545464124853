/**
 * Work done a little at a time whenever this thread's event loop has run what was waiting (setImmediate):
 * while a run waits for its parsing threads, this thread prepares what comes next instead of idling.
 */
export class IdleWork<T> {
  private queue: T[] = [];
  private next = 0;
  private scheduled = false;
  private stopped = false;

  /** `sliceMs`: how long one turn may hold the thread before the event loop runs again. */
  constructor(
    private readonly perform: (task: T) => void,
    private readonly sliceMs = 2,
  ) {}

  /** Tasks added and not done yet. */
  get pending(): number {
    return this.queue.length - this.next;
  }

  add(tasks: Iterable<T>): void {
    if (this.stopped) return;
    for (const task of tasks) this.queue.push(task);
    this.schedule();
  }

  /** Drops what is left: whatever needed it does it itself. */
  stop(): void {
    this.stopped = true;
    this.queue = [];
    this.next = 0;
  }

  private schedule(): void {
    if (this.scheduled || this.next >= this.queue.length) return;
    this.scheduled = true;
    setImmediate(() => this.turn());
  }

  private turn(): void {
    this.scheduled = false;
    const until = performance.now() + this.sliceMs;
    while (!this.stopped && this.next < this.queue.length) {
      try {
        this.perform(this.queue[this.next]!);
      } catch {
        // Whatever needed this work does it itself, and meets the failure there.
        this.stop();
        return;
      }
      this.next += 1;
      if (this.next % 16 === 0 && performance.now() >= until) break;
    }
    if (this.next >= this.queue.length) {
      this.queue = [];
      this.next = 0;
    }
    this.schedule();
  }
}
