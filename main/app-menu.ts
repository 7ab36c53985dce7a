// The application menu. macOS needs one for the standard shortcuts (copy, paste, hide, quit); Windows and Linux
// get none, so the window offers no reload, developer tools or other ways around the console.
import type { MenuItemOptions } from './electron-api.js';

export function appMenuTemplate(platform: NodeJS.Platform): MenuItemOptions[] | null {
  if (platform !== 'darwin') return null;
  return [{ role: 'appMenu' }, { role: 'editMenu' }, { role: 'windowMenu' }];
}
