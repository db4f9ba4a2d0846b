import type { NodeStatus } from './clientApi.js';
import type { SubmitOutcome } from './clusterClient.js';

/**
 * The client commands' output: one line per result, in words or (`--json`) one JSON object.
 * Each function returns the line without its newline.
 */

/** `pure-raft submit`'s one line. */
export function submitLine(outcome: SubmitOutcome, json: boolean): string {
  const at = [outcome.index !== undefined ? `index=${outcome.index}` : '', outcome.term !== undefined ? `term=${outcome.term}` : ''].filter((s) => s !== '').join(' ');
  switch (outcome.fate) {
    case 'committed':
      return json
        ? JSON.stringify({ result: 'committed', index: outcome.index, term: outcome.term, position: outcome.position, server: outcome.server })
        : `committed index=${outcome.index} term=${outcome.term} position=${outcome.position}`;
    case 'lost':
      return json
        ? JSON.stringify({ result: 'lost', mayHaveCommitted: false, index: outcome.index ?? null, term: outcome.term ?? null, server: outcome.server })
        : `lost: a new leader overwrote its entry${at === '' ? '' : ` (${at})`}; not committed`;
    case 'unknown':
      return json
        ? JSON.stringify({ result: 'unknown', mayHaveCommitted: true, reason: outcome.reason ?? null, server: outcome.server })
        : `unknown: ${outcome.reason ?? 'no answer'}; it may have committed`;
    case 'no-leader':
      return json
        ? JSON.stringify({ result: 'no-leader', mayHaveCommitted: false, attempts: outcome.attempts })
        : `no leader: no server took the command before the timeout (${outcome.attempts} attempts); not committed`;
    case 'refused':
      return json
        ? JSON.stringify({ result: 'refused', mayHaveCommitted: false, reason: outcome.reason ?? null })
        : `refused: ${outcome.reason ?? 'bad request'}`;
  }
}

/** What `pure-raft status` learned of one server. */
export type ServerReport =
  | { readonly id: number; readonly address: string; readonly status: NodeStatus }
  | { readonly id: number; readonly address: string; readonly unreachable: string };

/** `pure-raft status`'s line for one server. */
export function statusLine(report: ServerReport, json: boolean): string {
  if ('unreachable' in report) {
    return json
      ? JSON.stringify({ id: report.id, address: report.address, unreachable: true, reason: report.unreachable })
      : `${report.id} ${report.address} unreachable (${report.unreachable})`;
  }
  const s = report.status;
  // A server that calls itself by another id was given --peers in another order than this client.
  const misnamed = s.id !== report.id;
  if (json) {
    return JSON.stringify({
      id: report.id, address: report.address, role: s.role, currentTerm: s.currentTerm, commitIndex: s.commitIndex, lastApplied: s.lastApplied,
      lastIncludedIndex: s.lastIncludedIndex, ...(misnamed ? { reportedId: s.id } : {}),
    });
  }
  return `${report.id} ${report.address} ${s.role} currentTerm=${s.currentTerm} commitIndex=${s.commitIndex} lastApplied=${s.lastApplied} lastIncludedIndex=${s.lastIncludedIndex}`
    + (misnamed ? ` (it says it is server ${s.id}: --peers in another order?)` : '');
}

/** `pure-raft read`'s line for one applied command: its position in the list and the command. */
export function readLine(position: number, command: unknown, json: boolean): string {
  return json ? JSON.stringify({ position, command }) : `${position} ${JSON.stringify(command)}`;
}
