// The start-up benchmark's breakdown by phase (bench/measure.py). Sent with `app_ready`, a command
// only builds with the `demo` feature have.

/** The page's start-up phases, as Unix time in ms: HTML parsed, every module evaluated, the first
 * IPC answered, now (painted). */
export function startupMarks(): Record<string, number> {
  const origin = performance.timeOrigin;
  const marks: Record<string, number> = {};
  const nav = performance.getEntriesByType?.("navigation")[0] as PerformanceNavigationTiming | undefined;
  if (nav) {
    marks.html_parsed = origin + nav.domInteractive;
  }
  for (const entry of performance.getEntriesByType?.("mark") ?? []) {
    if (entry.name.startsWith("oas:")) marks[entry.name.slice(4).replaceAll("-", "_")] = origin + entry.startTime;
  }
  marks.painted = origin + performance.now();
  return marks;
}
