/**
 * Parent links: for each discovered state, the id of the state it was first reached from and the
 * index of the action taken, in two growable typed arrays (6 bytes a state). Walking the links
 * back from a state gives its path; under BFS that path is a shortest one.
 *
 * An initial state's parent is ROOT and its "action" is its index in `initialStates()`.
 */

export const ROOT = 0xffffffff;
const MAX_ACTION = 0xffff;

export class ParentLinks {
  private parents = new Uint32Array(1024);
  private actions = new Uint16Array(1024);
  private count = 0;

  get size(): number {
    return this.count;
  }

  get byteLength(): number {
    return this.parents.byteLength + this.actions.byteLength;
  }

  /** Records a new state and returns its local id (0, 1, 2, ...). */
  add(parent: number, action: number): number {
    if (action > MAX_ACTION) throw new RangeError(`action index ${action} exceeds ${MAX_ACTION}`);
    if (this.count === this.parents.length) this.grow();
    this.parents[this.count] = parent;
    this.actions[this.count] = action;
    return this.count++;
  }

  parentOf(id: number): number {
    return this.parents[id] ?? ROOT;
  }

  actionOf(id: number): number {
    return this.actions[id] ?? 0;
  }

  /** Plain copies of the used part, to send to another thread. */
  snapshot(): { parents: Uint32Array<ArrayBuffer>; actions: Uint16Array<ArrayBuffer> } {
    return { parents: this.parents.slice(0, this.count), actions: this.actions.slice(0, this.count) };
  }

  private grow(): void {
    const parents = new Uint32Array(this.parents.length * 2);
    parents.set(this.parents);
    const actions = new Uint16Array(this.actions.length * 2);
    actions.set(this.actions);
    this.parents = parents;
    this.actions = actions;
  }
}

/** Where a path starts (an index into `initialStates()`) and the action indices taken from it. */
export interface Path {
  readonly initial: number;
  readonly actions: readonly number[];
}

/** Looks up one link: the parent id and action index of state `id`. */
export type LinkLookup = (id: number) => { parent: number; action: number };

/** Follows parent links from `id` back to its initial state. */
export function pathTo(id: number, link: LinkLookup): Path {
  const actions: number[] = [];
  let at = link(id);
  while (at.parent !== ROOT) {
    actions.push(at.action);
    at = link(at.parent);
  }
  return { initial: at.action, actions: actions.reverse() };
}

/** A lookup over one ParentLinks table whose ids are its local ids. */
export function localLookup(links: ParentLinks): LinkLookup {
  return (id) => ({ parent: links.parentOf(id), action: links.actionOf(id) });
}
