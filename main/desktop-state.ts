// What the desktop app remembers between runs, apart from the server's data folder: for now, whether the person
// has been told that closing the window leaves the server running. One small JSON file in Electron's userData.
import fs from 'node:fs';
import path from 'node:path';

export interface DesktopState {
  closeNoticeShown: boolean;
}

const DEFAULTS: DesktopState = { closeNoticeShown: false };

export class DesktopStateFile {
  private state: DesktopState;

  constructor(readonly file: string) {
    this.state = DesktopStateFile.read(file);
  }

  static inDir(dir: string): DesktopStateFile {
    return new DesktopStateFile(path.join(dir, 'desktop.json'));
  }

  private static read(file: string): DesktopState {
    try {
      const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        const p = parsed as Partial<DesktopState>;
        return { closeNoticeShown: p.closeNoticeShown === true };
      }
    } catch {
      // Missing or unreadable: start from the defaults.
    }
    return { ...DEFAULTS };
  }

  get<K extends keyof DesktopState>(key: K): DesktopState[K] {
    return this.state[key];
  }

  /** Change and save (best effort: a read-only profile only means being told again). */
  set<K extends keyof DesktopState>(key: K, value: DesktopState[K]): void {
    this.state = { ...this.state, [key]: value };
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      fs.writeFileSync(this.file, JSON.stringify(this.state, null, 2) + '\n');
    } catch {
      // See above.
    }
  }
}
