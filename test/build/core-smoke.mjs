/**
 * The core's smoke test, in plain JavaScript with no import of its own, so that it runs as it is
 * in Node, Deno, Bun and a browser against whatever build of the core it is handed (the
 * source, dist/browser/core.js, the installed package). Three servers driven by hand through
 * `step`: server 0 times out, wins the election, takes a client command, replicates and commits
 * it, and every server applies it; then server 1 is rebuilt with `restore` from what it
 * persisted. Every step's effects are carried out through the core's own `runOperations`
 * (persist, then send, then apply, then timers) and messages are delivered first in, first out.
 *
 * Returns the run as lines (one per step and per effect) and a summary; callers compare both
 * with the same run on the source under Node.
 */

/** @param {typeof import('../../src/core/index.js')} core */
export function smoke(core) {
  const n = 3;
  const servers = Array.from({ length: n }, (_, id) => core.initialState(id, n));
  const persisted = servers.map(() => null);
  const applied = servers.map(() => []);
  const inFlight = [];
  const lines = [];

  const input = (id, what) => {
    const r = core.step(servers[id], what);
    servers[id] = r.state;
    const s = r.state;
    lines.push(`s${id} ${what.type === 'Receive' ? `<- ${what.message.type} from s${what.message.from}` : what.type}: ${s.role} term ${s.currentTerm} votedFor ${s.votedFor} log ${s.log.length} commit ${s.commitIndex}`);
    core.runOperations(core.operations(r), (op) => {
      switch (op.kind) {
        case 'persist':
          persisted[id] = {
            currentTerm: op.persist.currentTerm, votedFor: op.persist.votedFor, log: op.persist.log,
            lastIncludedIndex: op.persist.lastIncludedIndex, lastIncludedTerm: op.persist.lastIncludedTerm, snapshot: op.persist.snapshot,
          };
          lines.push(`  persist term ${op.persist.currentTerm} votedFor ${op.persist.votedFor} log ${op.persist.log.length} from ${op.persist.logChangedFrom}`);
          break;
        case 'send':
          inFlight.push(op.message);
          lines.push(`  send ${op.message.type} s${op.message.from}->s${op.message.to}`);
          break;
        case 'apply':
          applied[id].push(op.entry);
          lines.push(`  apply ${op.entry.commandIndex} ${JSON.stringify(op.entry.command)}`);
          break;
        case 'timer':
          lines.push(`  timer ${op.directive}`);
          break;
      }
    });
    return r;
  };
  const deliverAll = () => {
    for (let delivered = 0; inFlight.length > 0; delivered++) {
      if (delivered > 100) throw new Error('smoke: messages still in flight after 100 deliveries');
      const message = inFlight.shift();
      input(message.to, { type: 'Receive', message });
    }
  };

  input(0, { type: 'ElectionTimeout' });
  deliverAll();
  const started = input(0, { type: 'Start', command: 'x' }).start;
  deliverAll();
  input(0, { type: 'HeartbeatTick' }); // carries the leader's new commitIndex to the followers
  deliverAll();

  const restored = core.restore(1, n, persisted[1]);
  return {
    lines,
    roles: servers.map((s) => s.role),
    terms: servers.map((s) => s.currentTerm),
    start: started,
    commitIndex: servers.map((s) => s.commitIndex),
    applied: applied.map((a) => a.map((e) => `${e.commandIndex}:${JSON.stringify(e.command)}`)),
    restored: { role: restored.role, currentTerm: restored.currentTerm, votedFor: restored.votedFor, log: restored.log.map((e) => `${e.term}:${JSON.stringify(e.command)}`), commitIndex: restored.commitIndex },
  };
}
