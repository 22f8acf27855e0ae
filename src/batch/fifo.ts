/**
 * A first-in, first-out queue with O(1) push and shift. `Array.prototype.shift` moves every
 * element on each call, so a queue of records that grows to thousands (a burst of invalid lines,
 * a service ending its names at once) made emptying it quadratic.
 */
export class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The oldest item, left in place; undefined when empty. */
  peek(): T | undefined {
    return this.head === this.items.length ? undefined : this.items[this.head];
  }

  /** Take back the newest item (the last push). */
  pop(): T | undefined {
    return this.head === this.items.length ? undefined : this.items.pop();
  }

  /** The oldest item, or undefined when empty. */
  shift(): T | undefined {
    if (this.head === this.items.length) return undefined;
    const item = this.items[this.head] as T;
    this.items[this.head++] = undefined as T; // let it be collected
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    return item;
  }
}
