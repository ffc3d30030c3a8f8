// A small typed event bus: library code emits, the CLI renderer, logs and the dashboard subscribe.

export type Listener<T> = (event: T) => void;

export class EventBus<Events extends { type: string }> {
  private readonly listeners = new Set<Listener<Events>>();

  on(listener: Listener<Events>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: Events): void {
    for (const l of this.listeners) l(event);
  }
}
