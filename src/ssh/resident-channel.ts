import type { ResidentEnd, ResidentProcess } from '../poll/resident.js';
import type { RemoteProcess, SshConnection } from './client.js';

/**
 * A resident collector on an SSH exec channel. Its end is the channel's close (with the exit
 * status the server sent, if any) or the connection's loss, whichever comes first.
 */
export function channelResident(process: RemoteProcess, connection: SshConnection): ResidentProcess {
  const { channel } = process;
  const endListeners: Array<(end: ResidentEnd) => void> = [];
  let ended: ResidentEnd | undefined;
  const end = (how: ResidentEnd): void => {
    if (ended) return;
    ended = how;
    unsubscribe();
    for (const listener of endListeners) listener(how);
  };
  const unsubscribe = connection.onClose((reason) => end({ kind: 'lost', message: `connection lost: ${reason}` }));
  channel.on('close', () => {
    const exit = process.exitStatus();
    end(exit ? { kind: 'exit', code: exit.code, signal: exit.signal, stderr: '' } : { kind: 'lost', message: 'channel closed without an exit status' });
  });
  // Errors end in a close; without a listener one would crash the poller.
  channel.on('error', () => undefined);
  return {
    write: (text) => void channel.write(text),
    onStdout: (listener) => void channel.on('data', listener),
    onStderr: (listener) => void channel.stderr.on('data', listener),
    onEnd: (listener) => {
      if (ended) listener(ended);
      else endListeners.push(listener);
    },
    kill: () => {
      // Where sshd honours signal requests, TERM lets the collector kill its statfs helpers on
      // the way out; where it does not (root sessions), closing the channel ends its stdin, and
      // its own deadline stops a poll under way. The channel is ended locally too, so a server
      // that never confirms the close does not keep it (and its listener) alive.
      try {
        channel.signal('TERM');
      } catch {
        // Closing below is what matters.
      }
      try {
        channel.close();
      } catch {
        // Already closing.
      }
      end({ kind: 'lost', message: 'stopped' });
    },
  };
}
