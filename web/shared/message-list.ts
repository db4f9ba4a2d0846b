import type { Message } from '../../src/core/index.js';
import { MESSAGE_COLOUR } from './colours.js';
import { h } from './dom.js';
import { messageText, route } from './format.js';

export interface MessageListOptions {
  /** A short note to show on a message (e.g. "delivered next"); null for none. */
  readonly note?: (m: Message) => string | null;
  /** Shown when nothing is in flight. */
  readonly emptyText?: string;
}

/** Messages compared by content, whatever their property order. */
export function messageIdentity(m: Message): string {
  return JSON.stringify(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Messages in flight, equal copies grouped ("×2"), each with its route, and a stripe in the lane
 * diagram's colour for its type. Items are data-testid="message" with data-type,
 * data-from, data-to, data-term and data-copies.
 */
export function messageList(messages: readonly Message[], options: MessageListOptions = {}): HTMLElement {
  if (messages.length === 0) return h('p', { class: 'pr-muted pr-empty', 'data-testid': 'messages-empty' }, options.emptyText ?? 'No messages in flight.');
  const groups = new Map<string, { m: Message; copies: number }>();
  for (const m of messages) {
    const k = messageIdentity(m);
    const g = groups.get(k);
    if (g) g.copies++;
    else groups.set(k, { m, copies: 1 });
  }
  return h('ul', { class: 'pr-messages', 'data-testid': 'messages' }, [...groups.values()].map(({ m, copies }) => {
    const note = options.note?.(m) ?? null;
    return h('li', {
      class: `pr-message${note ? ' is-noted' : ''}`,
      style: `border-left-color:${MESSAGE_COLOUR[m.type]}`,
      'data-testid': 'message',
      'data-type': m.type,
      'data-from': m.from,
      'data-to': m.to,
      'data-term': m.term,
      'data-copies': copies,
    },
    h('span', { class: 'pr-route' }, route(m)),
    h('span', { class: 'pr-message-text' }, messageText(m)),
    copies > 1 ? h('span', { class: 'pr-copies', title: `${copies} equal copies` }, `×${copies}`) : null,
    note ? h('span', { class: 'pr-note' }, note) : null);
  }));
}
