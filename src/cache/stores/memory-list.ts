/** A FIFO whose shift() is O(1): the array is compacted only once half of it has been consumed. */
export class ItemQueue {
  private items: string[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: string): number {
    this.items.push(item);
    return this.length;
  }

  shift(): string | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head++];
    if (this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  toArray(): string[] {
    return this.items.slice(this.head);
  }
}
