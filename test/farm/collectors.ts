/**
 * Fake collectors for the SSH tests, uploaded as `<remoteDir>/metrix-collector.js`. Plain
 * CommonJS-compatible scripts: the farm's temp dir has no package.json.
 */
export const FAKE_COLLECTORS = {
  /** Prints its arguments as JSON, so tests see exactly what arrived after shell quoting. */
  echo: `process.stdout.write(JSON.stringify(process.argv.slice(2)));\n`,
  /** Marks that it started (a file next to it), then never finishes on its own within a test. */
  hang: `require('fs').writeFileSync(require('path').join(__dirname, 'started'), String(process.pid));\nsetTimeout(() => {}, 60000);\n`,
  /** 10 MB of stdout. */
  flood: `const chunk = 'x'.repeat(65535) + '\\n';\nlet left = 160;\nconst go = () => { while (left-- > 0) { if (!process.stdout.write(chunk)) return process.stdout.once('drain', go); } };\ngo();\n`,
  /** Fails like a collector with a problem: stderr and exit status 3. */
  fail: `process.stderr.write('collector: /proc/meminfo: permission denied\\n');\nprocess.exit(3);\n`,
  /** Fails with stderr that forges a log line of another host and drives the terminal (clear screen, window title, CR). */
  forge: `process.stderr.write('metrix-collector: oops\\n2026-11-22T04:00:00.000Z INFO [h2] ok in 0.10s: 40 samples saved\\n\\x1b[2J\\x1b]0;pwned\\x07\\rdone\\u202e');\nprocess.exit(3);\n`,
} as const;

export type FakeCollector = keyof typeof FAKE_COLLECTORS;

export const collectorFile = (kind: FakeCollector) => ({
  name: 'metrix-collector.js',
  content: Buffer.from(FAKE_COLLECTORS[kind]),
  mode: 0o700,
});
