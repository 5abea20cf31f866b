/** Labels as stored: a canonical JSON object with sorted keys, `{}` when there are none. */
export type Labels = Readonly<Record<string, string>>;

export function canonicalLabels(labels: Labels | undefined): string {
  if (!labels) return '{}';
  const keys = Object.keys(labels).sort();
  return JSON.stringify(Object.fromEntries(keys.map((key) => [key, labels[key]])));
}

/** Parses `mount=/,fs=ext4` (the CLI and config form) into labels; undefined when malformed. */
export function parseLabelList(text: string): Labels | undefined {
  const labels: Record<string, string> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    labels[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return labels;
}

export function formatLabels(labels: Labels): string {
  return Object.entries(labels).map(([key, value]) => `${key}=${value}`).join(',');
}

export function matchesLabels(labels: Labels, wanted: Labels): boolean {
  return Object.entries(wanted).every(([key, value]) => labels[key] === value);
}
