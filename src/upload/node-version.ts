/** The oldest Node the collector bundle is built and tested for. */
export const MIN_NODE_MAJOR = 12;

/** Checks `node --version` output ("v18.19.0"); a problem as text a sysadmin can act on, or undefined. */
export function nodeVersionProblem(version: string, nodeBinary: string): string | undefined {
  const match = /^v(\d+)\.\d+\.\d+/.exec(version.trim());
  if (!match) return `"${nodeBinary} --version" printed ${JSON.stringify(version.trim().slice(0, 60))}, not a Node version`;
  const major = Number(match[1]);
  if (major < MIN_NODE_MAJOR) {
    return `Node ${version.trim()} is too old for the collector (needs ${MIN_NODE_MAJOR} or newer): install a newer Node, or point node="..." at one for this host`;
  }
  return undefined;
}
