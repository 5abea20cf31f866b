// Defined by scripts/build-collector.js from package.json; absent when the sources run unbundled (tests).
declare const COLLECTOR_VERSION: string;

/** Version of this collector, carried in every report so the poller can tell stale uploads. */
export const VERSION: string = typeof COLLECTOR_VERSION === 'string' ? COLLECTOR_VERSION : 'dev';
