// CPU time from /proc, for the benchmarks that explain a figure by where the CPU went
// (ui_organisations.mjs, rows_floor.mjs).
import { readFileSync, readdirSync } from 'node:fs';

/** A process's or thread's name and the CPU time it has used so far (ms, user + system), from its
 * `stat` file; the kernel counts in ticks of 10 ms (USER_HZ). */
function cpuOf(statPath) {
  const stat = readFileSync(statPath, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ms: (Number(fields[11]) + Number(fields[12])) * 10 };
}

/** `add(stat)` for every running process (and, with `threads`, each of its threads); one that
 * ends meanwhile is skipped. */
function eachProcess(add, threads = false) {
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (!threads) add(cpuOf(`/proc/${pid}/stat`), pid);
      else for (const tid of readdirSync(`/proc/${pid}/task`)) add(cpuOf(`/proc/${pid}/task/${tid}/stat`), pid);
    } catch {
      // The process or thread ended meanwhile.
    }
  }
}

/** CPU time used so far (ms) by each process named in `names`, by name. */
export function cpuByName(names) {
  const out = Object.fromEntries(names.map((n) => [n, 0]));
  eachProcess(({ comm, ms }) => {
    if (comm in out) out[comm] += ms;
  });
  return out;
}

/** CPU time used so far (ms) by the threads of the processes named `name`, by thread name. */
export function cpuByThread(name) {
  const out = {};
  const ofName = new Set();
  eachProcess(({ comm }, pid) => comm === name && ofName.add(pid));
  eachProcess(({ comm, ms }, pid) => {
    if (ofName.has(pid)) out[comm] = (out[comm] ?? 0) + ms;
  }, true);
  return out;
}

/** The whole machine's CPU time so far (ms): busy and in all, summed over the cores. */
export function cpuOfMachine() {
  const tick = 10; // ms, USER_HZ
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: (total - fields[3] - fields[4]) * tick, total: total * tick };
}
