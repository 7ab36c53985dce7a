// The last line of defence for the server process (`parley serve`, the desktop app's main process): a promise that
// rejects with nobody to handle it is logged and the server keeps serving. Node's default for such a rejection is to
// end the process, and one failing asynchronous task (a store write, a module's listener) must not disconnect
// everyone. Stanza handlers never get here: the router and the streams answer their failures with
// internal-server-error (router.ts, xml-stream.ts). Synchronous uncaught exceptions keep Node's default (exit):
// after one, the state of whatever was running is unknown.

/** Log unhandled rejections instead of exiting; returns a function that removes the guard. */
export function guardUnhandledRejections(log: (message: string) => void): () => void {
  const onRejection = (reason: unknown): void => {
    const what = reason instanceof Error ? reason.stack ?? reason.message : String(reason);
    log(`an asynchronous task failed and nothing handled the failure; the server keeps serving. ${what}`);
  };
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('unhandledRejection', onRejection);
  };
}
