/** Errors about certificate files, worded for the people who run Parley. */

import path from 'node:path';

/** An Error about one file in the certificate directory; `file` is its full path. */
export class CertificateFileError extends Error {
  readonly file: string;

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CertificateFileError';
    this.file = file;
  }
}

/** What a person can do about a broken file, by file name. */
export function remedyFor(file: string, imported: boolean): string {
  const name = path.basename(file);
  if (imported && (name === 'server.pem' || name === 'server.key')) {
    return 'Import the certificate again, or delete imported.json, server.pem and server.key to have Parley go back to a certificate of its own.';
  }
  switch (name) {
    case 'ca.pem':
    case 'ca.key':
      return 'Delete ca.pem and ca.key to have Parley make a new local certificate authority; devices that trusted the old one will then have to be set up to trust the new one.';
    case 'server.pem':
    case 'server.key':
      return 'Delete server.pem and server.key to have Parley make a new server certificate.';
    case 'imported.json':
      return 'Import the certificate again, or delete imported.json, server.pem and server.key to have Parley go back to a certificate of its own.';
    default:
      return 'Delete it to have Parley make a new one.';
  }
}

function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory, not a file';
    case 'ENOTDIR':
      return 'a part of its path is not a directory';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}

export function unreadableFile(file: string, err: unknown, imported = false): CertificateFileError {
  return new CertificateFileError(
    file,
    `Parley cannot read ${file} (${describeFsError(err)}). ` +
      `Make sure it belongs to the user that runs Parley. ${remedyFor(file, imported)}`,
    { cause: err },
  );
}

export function corruptFile(file: string, what: string, detail: string, imported = false): CertificateFileError {
  return new CertificateFileError(
    file,
    `${file} is damaged: it does not hold ${what} (${detail.trim().replace(/\.$/, '')}). ${remedyFor(file, imported)}`,
  );
}

export function unwritableDir(dir: string, err: unknown): CertificateFileError {
  return new CertificateFileError(
    dir,
    `Parley cannot save certificates in ${dir} (${describeFsError(err)}). ` +
      'Make sure the folder belongs to the user that runs Parley and the disk is not full.',
    { cause: err },
  );
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
